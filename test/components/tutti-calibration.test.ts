import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/tutti-calibration.js';
import type { TuttiCalibration } from '../../src/components/tutti-calibration.js';
import { CalibrationPhase, type CalibrationReport } from '../../src/room/calibration-runner.js';

const report: CalibrationReport = {
  ok: true,
  message: 'all speakers within 0.04 ms',
  rows: [
    { speakerId: 'a', name: 'Kitchen', measuredDelayMs: 0, correctionMs: 212.5, residualMs: 0.012, error: null },
    { speakerId: 'b', name: 'Hall', measuredDelayMs: 212.5, correctionMs: 0, residualMs: -0.03, error: null },
  ],
  spreadMs: 0.04,
  durationMs: 6400,
  passes: [],
};

describe('<tutti-calibration>', () => {
  it('asks for a run with an event, and is disabled with fewer than two speakers', async () => {
    const el = await fixture<TuttiCalibration>(html`<tutti-calibration .speakerCount=${1}></tutti-calibration>`);
    const button = el.shadowRoot!.querySelector('button')!;
    expect(button.disabled).to.equal(true);
    el.speakerCount = 3;
    await el.updateComplete;
    expect(button.disabled).to.equal(false);
    setTimeout(() => button.click());
    const event = await oneEvent(el, 'calibrate-request');
    expect(event.bubbles).to.equal(true);
  });

  it('shows progress while running, then the results table', async () => {
    const el = await fixture<TuttiCalibration>(html`<tutti-calibration .speakerCount=${2} .phase=${CalibrationPhase.measuring}></tutti-calibration>`);
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('Listening to each speaker');
    expect(el.shadowRoot!.querySelector('progress')).to.not.equal(null);
    expect(el.shadowRoot!.querySelector('button')!.disabled).to.equal(true);
    el.phase = CalibrationPhase.idle;
    el.report = report;
    el.localCorrectionMs = 212.5;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('progress')).to.equal(null);
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()));
    expect(rows).to.deep.equal([
      ['Kitchen', '0.00 ms', '212.50 ms', '+0.012 ms'],
      ['Hall', '212.50 ms', '0.00 ms', '-0.030 ms'],
    ]);
    expect(el.shadowRoot!.textContent).to.contain('all speakers within 0.04 ms');
    expect(el.shadowRoot!.querySelector('.local')!.textContent).to.contain('+212.50 ms');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows a failure as an alert naming the speaker', async () => {
    const failed: CalibrationReport = { ...report, ok: false, message: "couldn't hear Kitchen — turn it up or move closer", rows: [{ ...report.rows[0]!, correctionMs: null, error: "couldn't hear Kitchen — turn it up or move closer" }] };
    const el = await fixture<TuttiCalibration>(html`<tutti-calibration .speakerCount=${2} .report=${failed}></tutti-calibration>`);
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain("couldn't hear Kitchen");
    expect(el.shadowRoot!.querySelector('tbody td small.error')!.textContent).to.contain('turn it up');
  });
});
