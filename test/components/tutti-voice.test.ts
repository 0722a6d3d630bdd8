import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/tutti-voice.js';
import type { TuttiVoice, VoiceCommandEvent, VoiceHandsFreeEvent, VoiceListenEvent, VoiceViewState } from '../../src/components/tutti-voice.js';

const base: VoiceViewState = { supported: true, listening: false, handsFree: false, busy: false, transcript: null, reply: null };

describe('<tutti-voice>', () => {
  it('sends voice-command with the trimmed typed text on Enter/submit and clears the box', async () => {
    const el = await fixture<TuttiVoice>(html`<tutti-voice .state=${base}></tutti-voice>`);
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="text"]')!;
    input.value = '  play daft punk in the den ';
    const event = oneEvent(el, 'voice-command') as unknown as Promise<VoiceCommandEvent>;
    el.shadowRoot!.querySelector('form')!.requestSubmit();
    expect((await event).text).to.equal('play daft punk in the den');
    expect(input.value).to.equal('');
  });

  it('does not send an empty command', async () => {
    const el = await fixture<TuttiVoice>(html`<tutti-voice .state=${base}></tutti-voice>`);
    let fired = 0;
    el.addEventListener('voice-command', () => fired++);
    el.shadowRoot!.querySelector('form')!.requestSubmit();
    expect(fired).to.equal(0);
  });

  it('labels the command box and shows heard words and the reply in a polite status region', async () => {
    const el = await fixture<TuttiVoice>(html`<tutti-voice .state=${{ ...base, transcript: 'pause then', reply: 'Paused in the Den' }}></tutti-voice>`);
    const label = el.shadowRoot!.querySelector('label[for="voice-command"]')!;
    expect(label.textContent).to.equal('Type a command');
    const status = el.shadowRoot!.querySelector('[role="status"]')!;
    expect(status.getAttribute('aria-live')).to.equal('polite');
    expect(status.textContent).to.contain('pause then').and.contain('Paused in the Den');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('talk button toggles listening with aria-pressed and "Listening…"', async () => {
    const el = await fixture<TuttiVoice>(html`<tutti-voice .state=${base}></tutti-voice>`);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('button.talk')!;
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    const start = oneEvent(el, 'voice-listen') as unknown as Promise<VoiceListenEvent>;
    button.click();
    expect((await start).start).to.equal(true);
    el.state = { ...base, listening: true };
    await el.updateComplete;
    expect(button.getAttribute('aria-pressed')).to.equal('true');
    expect(button.textContent!.trim()).to.equal('Listening…');
    const stop = oneEvent(el, 'voice-listen') as unknown as Promise<VoiceListenEvent>;
    button.click();
    expect((await stop).start).to.equal(false);
  });

  it('hands-free switch sends voice-handsfree', async () => {
    const el = await fixture<TuttiVoice>(html`<tutti-voice .state=${base}></tutti-voice>`);
    const box = el.shadowRoot!.querySelector<HTMLInputElement>('input.hands-free')!;
    const event = oneEvent(el, 'voice-handsfree') as unknown as Promise<VoiceHandsFreeEvent>;
    box.click();
    expect((await event).on).to.equal(true);
  });

  it('without recognition: no talk button, says to type instead, typing still works', async () => {
    const el = await fixture<TuttiVoice>(html`<tutti-voice .state=${{ ...base, supported: false }}></tutti-voice>`);
    expect(el.shadowRoot!.querySelector('button.talk')).to.equal(null);
    expect(el.shadowRoot!.querySelector('input.hands-free')).to.equal(null);
    expect(el.shadowRoot!.textContent).to.contain('Voice needs Chrome/Safari; type a command instead');
    expect(el.shadowRoot!.querySelector('form')).to.not.equal(null);
  });
});
