import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/tutti-player.js';
import type { TuttiPlayer } from '../../src/components/tutti-player.js';
import type { PlayerCommand } from '../../src/components/player-events.js';
import { IDLE_PLAYOUT_REPORT, type PlayoutReport } from '../../src/sync/playout-report.js';
import type { QueueEntry, ZoneState } from '../../src/sync/play-state.js';

const queue: QueueEntry[] = [
  { trackId: 'a'.repeat(64), title: 'First Light', artist: 'Ann', durationSec: 180 },
  { trackId: 'b'.repeat(64), title: 'Second Wind', artist: 'Bo', durationSec: 200 },
  { trackId: 'c'.repeat(64), title: 'Third Rail', artist: 'Cy', durationSec: 95 },
];

/** Playing track 1 (Second Wind) from 5 s at shared 10 000 ms. */
const playing: ZoneState = {
  zoneId: 'main', members: ['me'], queue, currentIndex: 1, status: 'playing',
  startSharedMs: 10_000, startPositionSec: 5, pausedPositionSec: 0, volume: 1, revision: 7,
};
const paused: ZoneState = { ...playing, status: 'paused', pausedPositionSec: 42 };
const stopped: ZoneState = { ...playing, status: 'stopped', currentIndex: -1, startSharedMs: 0, startPositionSec: 0 };

const report = (fields: Partial<PlayoutReport>): PlayoutReport => ({ ...IDLE_PLAYOUT_REPORT, zoneId: 'main', ...fields });

async function player(props: Partial<Pick<TuttiPlayer, 'zone' | 'sharedNowMs' | 'report' | 'volume' | 'muted' | 'trimMs' | 'remote' | 'commandError'>>): Promise<TuttiPlayer> {
  const el = await fixture<TuttiPlayer>(html`<tutti-player></tutti-player>`);
  Object.assign(el, props);
  await el.updateComplete;
  return el;
}

/** The button whose accessible name (aria-label, else its text) is `name`. */
function button(el: TuttiPlayer, name: string): HTMLButtonElement | undefined {
  return [...el.shadowRoot!.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent!.trim()) === name);
}

function commands(el: TuttiPlayer): PlayerCommand[] {
  const seen: PlayerCommand[] = [];
  el.addEventListener('player-command', (e) => seen.push(e.command));
  return seen;
}

/** The input a visible <label for> with this text names. */
function labelled(el: TuttiPlayer, label: string): HTMLInputElement {
  const found = [...el.shadowRoot!.querySelectorAll('label')].find((l) => l.textContent!.trim() === label)!;
  return el.shadowRoot!.getElementById(found.htmlFor) as HTMLInputElement;
}

const text = (el: TuttiPlayer): string => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
const seekInput = (el: TuttiPlayer): HTMLInputElement => el.shadowRoot!.querySelector('input[aria-label="Seek"]')!;

describe('<tutti-player>', () => {
  it('shows the current title, artist and position from the zone and shared time', async () => {
    const el = await player({ zone: playing, sharedNowMs: 70_000 });
    expect(el.shadowRoot!.querySelector('.title')!.textContent).to.equal('Second Wind');
    expect(el.shadowRoot!.querySelector('.artist')!.textContent).to.equal('Bo');
    expect(text(el)).to.contain('1:05 / 3:20');
    expect(seekInput(el).value).to.equal('65');
    el.sharedNowMs = 71_500;
    await el.updateComplete;
    expect(text(el)).to.contain('1:06 / 3:20');
    el.sharedNowMs = 10_000 + 500_000;
    await el.updateComplete;
    expect(text(el)).to.contain('3:20 / 3:20');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows "Nothing playing" for no zone or an empty queue', async () => {
    const el = await player({ zone: null });
    expect(text(el)).to.contain('Nothing playing — pick a track in the library');
    expect(el.shadowRoot!.querySelector('input[aria-label="Seek"]')).to.equal(null);
    el.zone = { ...stopped, queue: [] };
    await el.updateComplete;
    expect(text(el)).to.contain('Nothing playing');
    el.zone = playing;
    await el.updateComplete;
    expect(text(el)).not.to.contain('Nothing playing');
  });

  it('toggles Pause / Resume / Play by status and sends the matching command', async () => {
    const el = await player({ zone: playing, sharedNowMs: 20_000 });
    const seen = commands(el);
    expect(button(el, 'Resume')).to.equal(undefined);
    button(el, 'Pause')!.click();
    el.zone = paused;
    await el.updateComplete;
    expect(button(el, 'Pause')).to.equal(undefined);
    button(el, 'Resume')!.click();
    el.zone = stopped;
    await el.updateComplete;
    button(el, 'Play')!.click();
    expect(button(el, 'Next')!.disabled).to.equal(true);
    button(el, 'Next')!.click();
    el.zone = playing;
    await el.updateComplete;
    button(el, 'Next')!.click();
    button(el, 'Previous')!.click();
    expect(seen).to.deep.equal([{ type: 'pause' }, { type: 'resume' }, { type: 'play' }, { type: 'next' }, { type: 'previous' }]);
  });

  it('sends seek with the slider value on change and does not jump back while dragging', async () => {
    const el = await player({ zone: playing, sharedNowMs: 20_000 });
    const seen = commands(el);
    const slider = seekInput(el);
    expect(slider.step).to.equal('0.1');
    expect(slider.max).to.equal('200');
    slider.value = '120.5';
    slider.dispatchEvent(new Event('input'));
    el.sharedNowMs = 24_000;
    await el.updateComplete;
    expect(seen).to.deep.equal([]);
    expect(slider.value).to.equal('120.5');
    expect(text(el)).to.contain('2:00 / 3:20');
    slider.dispatchEvent(new Event('change'));
    expect(seen).to.deep.equal([{ type: 'seek', positionSec: 120.5 }]);
    await el.updateComplete;
    expect(slider.value).to.equal('19');
  });

  it('lists the queue, marks the current entry and sends play / remove with the index', async () => {
    const el = await player({ zone: playing, sharedNowMs: 20_000 });
    const seen = commands(el);
    const list = el.shadowRoot!.querySelector('[role="list"]')!;
    const items = [...list.querySelectorAll('li')];
    expect(items.length).to.equal(3);
    expect(items.map((li) => li.getAttribute('aria-current'))).to.deep.equal(['false', 'true', 'false']);
    button(el, 'Jump to Third Rail')!.click();
    button(el, 'Remove First Light from queue')!.click();
    expect(seen).to.deep.equal([{ type: 'play', index: 2 }, { type: 'removeFromQueue', index: 0 }]);
  });

  it('sends speaker volume, mute and trim (clamped, rounded to 0.1 ms)', async () => {
    const el = await player({ zone: playing, volume: 0.8, muted: false, trimMs: 2.5 });
    const volumes: number[] = [];
    const mutes: boolean[] = [];
    const trims: number[] = [];
    el.addEventListener('speaker-volume', (e) => volumes.push(e.volume));
    el.addEventListener('speaker-mute', (e) => mutes.push(e.muted));
    el.addEventListener('speaker-trim', (e) => trims.push(e.trimMs));
    const volume = labelled(el, 'Volume');
    expect(volume.value).to.equal('0.8');
    volume.value = '0.35';
    volume.dispatchEvent(new Event('input'));
    button(el, 'Mute')!.click();
    el.muted = true;
    await el.updateComplete;
    button(el, 'Unmute')!.click();
    const trim = labelled(el, 'Latency trim (ms)');
    expect([trim.value, trim.min, trim.max, trim.step]).to.deep.equal(['2.5', '-500', '500', '0.1']);
    expect(trim.title).to.contain('Positive = this speaker plays later');
    trim.value = '12.34';
    trim.dispatchEvent(new Event('change'));
    trim.value = '900';
    trim.dispatchEvent(new Event('change'));
    expect(trim.value).to.equal('500');
    trim.value = '';
    trim.dispatchEvent(new Event('change'));
    expect(trim.value).to.equal('2.5');
    expect(volumes).to.deep.equal([0.35]);
    expect(mutes).to.deep.equal([true, false]);
    expect(trims).to.deep.equal([12.3, 500]);
  });

  it('offers "Enable sound" when audio is blocked; Resume also unlocks', async () => {
    const el = await player({ zone: paused, report: report({ phase: 'blocked' }) });
    const seen = commands(el);
    let unlocks = 0;
    el.addEventListener('speaker-unlock', () => unlocks++);
    expect(text(el)).to.contain('Tap to enable sound');
    button(el, 'Enable sound')!.click();
    expect(unlocks).to.equal(1);
    button(el, 'Resume')!.click();
    expect(unlocks).to.equal(2);
    expect(seen).to.deep.equal([{ type: 'resume' }]);
    el.report = report({ phase: 'playing', errorMs: 0.1, uncertaintyMs: 0.02 });
    await el.updateComplete;
    expect(button(el, 'Enable sound')).to.equal(undefined);
  });

  it('shows the playout phase, sync quality and errors (errors as alerts)', async () => {
    const el = await player({ zone: playing, sharedNowMs: 20_000, report: report({ phase: 'loading' }) });
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('Receiving…');
    el.report = report({ phase: 'playing', errorMs: -0.123 });
    await el.updateComplete;
    expect(text(el)).to.contain('Playing · in sync ±0.12 ms');
    el.report = report({ phase: 'playing', errorMs: 3.2 });
    await el.updateComplete;
    expect(text(el)).to.contain('Playing · drifting +3.20 ms');
    el.report = report({ phase: 'error', message: 'Could not decode the track.' });
    el.commandError = 'zone has no speakers';
    await el.updateComplete;
    const alerts = [...el.shadowRoot!.querySelectorAll('[role="alert"]')].map((a) => a.textContent);
    expect(alerts).to.deep.equal(['Could not decode the track.', 'zone has no speakers']);
  });

  it('hides the speaker controls on a remote-only member but keeps the transport', async () => {
    const el = await player({ zone: playing, sharedNowMs: 20_000, remote: true });
    expect(el.shadowRoot!.querySelector('#volume')).to.equal(null);
    expect(el.shadowRoot!.querySelector('#trim')).to.equal(null);
    expect(button(el, 'Mute')).to.equal(undefined);
    expect(button(el, 'Pause')).not.to.equal(undefined);
    expect(button(el, 'Next')).not.to.equal(undefined);
    el.remote = false;
    await el.updateComplete;
    expect(button(el, 'Mute')).not.to.equal(undefined);
  });
});
