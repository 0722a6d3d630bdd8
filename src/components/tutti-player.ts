/**
 * Now playing and controls for the zone this device controls: title, position and seek,
 * transport buttons, the queue, and this speaker's own volume, mute and latency trim.
 * Renders from properties only; every action goes up as an event (player-events.ts).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { currentEntry, zonePositionSec, type ZoneState } from '../sync/play-state.js';
import { PlayoutPhase, type PlayoutReport } from '../sync/playout-report.js';
import type { Milliseconds } from '../sync/units.js';
import { PlayerCommandEvent, SpeakerMuteEvent, SpeakerTrimEvent, SpeakerUnlockEvent, SpeakerVolumeEvent, type PlayerCommand } from './player-events.js';
import { PHASE_TEXT, formatClock, syncText } from './playout-format.js';

/** Bounds of the manual latency trim, ms. */
export const MIN_TRIM_MS: Milliseconds = -500;
export const MAX_TRIM_MS: Milliseconds = 500;
/** Seek slider step, s. */
const SEEK_STEP_SEC = 0.1;
const TRIM_HINT = 'Positive = this speaker plays later; negative = earlier.';

@customElement('tutti-player')
export class TuttiPlayer extends LitElement {
  static override styles = css`
    :host { display: block; }
    .now { display: grid; gap: 0.4rem; }
    .title { font-size: 1.2rem; font-weight: 600; margin: 0; }
    .artist { opacity: 0.8; }
    .seek { display: grid; grid-template-columns: 1fr auto; gap: 0.6rem; align-items: center; }
    .time { font-variant-numeric: tabular-nums; font-size: 0.85rem; }
    .buttons, .speaker { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    button, input { font: inherit; }
    button { padding: 0.35rem 0.8rem; }
    .status { font-size: 0.85rem; margin: 0; }
    .error { color: #c0392b; font-weight: 600; }
    .unlock { font-weight: 600; }
    ol { list-style: none; margin: 0.8rem 0 0; padding: 0; display: grid; gap: 0.2rem; }
    li { display: flex; gap: 0.5rem; align-items: center; padding: 0.2rem 0.4rem; border-radius: 0.4rem; }
    li[aria-current='true'] { background: color-mix(in srgb, #4b55c9 18%, Canvas); font-weight: 600; }
    li .play { flex: 1; text-align: start; background: none; border: none; cursor: pointer; }
    li .by { font-size: 0.8rem; opacity: 0.75; }
    #trim { width: 6rem; }
    .hint { font-size: 0.75rem; opacity: 0.8; }
  `;

  /** The zone this device controls; null when it is in none. */
  @property({ attribute: false }) zone: ZoneState | null = null;
  /** Current shared time, ms (the app updates it a few times a second). */
  @property({ attribute: false }) sharedNowMs: Milliseconds = 0;
  /** This speaker's own playout; null on a remote-only member. */
  @property({ attribute: false }) report: PlayoutReport | null = null;
  /** This speaker's volume, 0..1. */
  @property({ attribute: false }) volume = 1;
  @property({ attribute: false }) muted = false;
  /** This speaker's manual latency trim, ms (positive = plays later). */
  @property({ attribute: false }) trimMs: Milliseconds = 0;
  /** A remote-only member: transport controls only, no speaker controls. */
  @property({ type: Boolean }) remote = false;
  /** Why the last command failed, or null. */
  @property({ attribute: false }) commandError: string | null = null;

  /** Seek position (s) while the person drags the slider; null otherwise. */
  @state() private seekDraftSec: number | null = null;

  override render() {
    const zone = this.zone;
    if (zone === null || zone.queue.length === 0) {
      return html`<p class="empty">Nothing playing — pick a track in the library</p>${this.renderCommandError()}${this.renderSpeaker()}`;
    }
    return html`${this.renderNow(zone)}${this.renderStatus()}${this.renderCommandError()}${this.renderQueue(zone)}${this.renderSpeaker()}`;
  }

  private renderNow(zone: ZoneState) {
    const entry = currentEntry(zone);
    const durationSec = entry?.durationSec ?? 0;
    const positionSec = this.seekDraftSec ?? Math.min(zonePositionSec(zone, this.sharedNowMs), durationSec);
    const toggle = zone.status === 'playing' ? 'Pause' : zone.status === 'paused' ? 'Resume' : 'Play';
    const stopped = zone.status === 'stopped';
    return html`<div class="now">
      ${entry
        ? html`<p class="title">${entry.title}</p><span class="artist">${entry.artist}</span>`
        : html`<p class="title">Stopped — press Play</p>`}
      <div class="seek">
        <input type="range" aria-label="Seek" min="0" max=${durationSec} step=${SEEK_STEP_SEC} .value=${String(positionSec)}
          aria-valuetext=${`${formatClock(positionSec)} of ${formatClock(durationSec)}`} ?disabled=${stopped || !entry}
          @input=${this.onSeekInput} @change=${this.onSeekChange} @blur=${this.onSeekBlur} />
        <span class="time">${formatClock(positionSec)} / ${formatClock(durationSec)}</span>
      </div>
      <div class="buttons">
        <button type="button" ?disabled=${zone.currentIndex < 0} @click=${() => this.send({ type: 'previous' })}>Previous</button>
        <button type="button" class="toggle" @click=${() => this.onToggle(toggle)}>${toggle}</button>
        <button type="button" ?disabled=${zone.currentIndex < 0} @click=${() => this.send({ type: 'next' })}>Next</button>
        <button type="button" ?disabled=${stopped} @click=${() => this.send({ type: 'stop' })}>Stop</button>
      </div>
    </div>`;
  }

  private renderStatus() {
    const report = this.report;
    if (report === null || report.phase === PlayoutPhase.idle) return nothing;
    if (report.phase === PlayoutPhase.error) {
      return html`<p class="status error" role="alert">${report.message ?? 'Playback failed on this speaker.'}</p>`;
    }
    const detail = syncText(report);
    return html`<p class="status"><span role="status">${PHASE_TEXT[report.phase]}</span>${detail === null ? nothing : ` · ${detail}`}</p>
      ${report.phase === PlayoutPhase.blocked
        ? html`<button type="button" class="unlock" @click=${this.unlock}>Enable sound</button>`
        : nothing}`;
  }

  private renderCommandError() {
    return this.commandError === null ? nothing : html`<p class="error" role="alert">${this.commandError}</p>`;
  }

  private renderQueue(zone: ZoneState) {
    return html`<ol role="list" aria-label="Queue">
      ${zone.queue.map(
        (entry, index) => html`<li aria-current=${index === zone.currentIndex ? 'true' : 'false'}>
          <button type="button" class="play" aria-label=${`Jump to ${entry.title}`} @click=${() => this.send({ type: 'play', index })}>
            ${entry.title}
          </button>
          <span class="by">${entry.artist}</span>
          <button type="button" class="remove" aria-label=${`Remove ${entry.title} from queue`} title="Remove from queue"
            @click=${() => this.send({ type: 'removeFromQueue', index })}>✕</button>
        </li>`,
      )}
    </ol>`;
  }

  private renderSpeaker() {
    if (this.remote) return nothing;
    return html`<div class="speaker">
      <label for="volume">Volume</label>
      <input id="volume" type="range" min="0" max="1" step="0.01" .value=${String(this.volume)}
        aria-valuetext=${`${Math.round(this.volume * 100)}%`} @input=${this.onVolume} />
      <button type="button" class="mute" @click=${() => this.dispatchEvent(new SpeakerMuteEvent(!this.muted))}>${this.muted ? 'Unmute' : 'Mute'}</button>
      <label for="trim" title=${TRIM_HINT}>Latency trim (ms)</label>
      <input id="trim" type="number" min=${MIN_TRIM_MS} max=${MAX_TRIM_MS} step="0.1" .value=${String(roundTrim(this.trimMs))}
        title=${TRIM_HINT} aria-describedby="trim-hint" @change=${this.onTrim} />
      <span class="hint" id="trim-hint">${TRIM_HINT}</span>
    </div>`;
  }

  private send(command: PlayerCommand): void {
    this.dispatchEvent(new PlayerCommandEvent(command));
  }

  /** Blocked audio: a play/resume press is also the gesture that enables sound. */
  private onToggle(toggle: 'Pause' | 'Resume' | 'Play'): void {
    if (toggle !== 'Pause' && this.report?.phase === PlayoutPhase.blocked) this.unlock();
    this.send(toggle === 'Pause' ? { type: 'pause' } : toggle === 'Resume' ? { type: 'resume' } : { type: 'play' });
  }

  private readonly unlock = (): void => {
    this.dispatchEvent(new SpeakerUnlockEvent());
  };

  private onSeekInput(event: Event): void {
    this.seekDraftSec = Number((event.target as HTMLInputElement).value);
  }

  /** Sends the released position; the very end is pulled back a step (a seek must land inside the track). */
  private onSeekChange(event: Event): void {
    const value = Number((event.target as HTMLInputElement).value);
    const durationSec = (this.zone && currentEntry(this.zone)?.durationSec) ?? 0;
    this.seekDraftSec = null;
    if (!Number.isFinite(value) || durationSec <= 0) return;
    this.send({ type: 'seek', positionSec: Math.max(0, Math.min(value, durationSec - SEEK_STEP_SEC)) });
  }

  private onSeekBlur(): void {
    this.seekDraftSec = null;
  }

  private onVolume(event: Event): void {
    const volume = Number((event.target as HTMLInputElement).value);
    if (Number.isFinite(volume)) this.dispatchEvent(new SpeakerVolumeEvent(Math.min(1, Math.max(0, volume))));
  }

  /** Clamps to the allowed range and rounds to 0.1 ms; an unreadable entry reverts. */
  private onTrim(event: Event): void {
    const input = event.target as HTMLInputElement;
    const typed = input.value.trim() === '' ? Number.NaN : Number(input.value);
    if (!Number.isFinite(typed)) {
      input.value = String(roundTrim(this.trimMs));
      return;
    }
    const trimMs = roundTrim(Math.min(MAX_TRIM_MS, Math.max(MIN_TRIM_MS, typed)));
    input.value = String(trimMs);
    this.dispatchEvent(new SpeakerTrimEvent(trimMs));
  }
}

const roundTrim = (ms: Milliseconds): Milliseconds => Math.round(ms * 10) / 10;

declare global {
  interface HTMLElementTagNameMap {
    'tutti-player': TuttiPlayer;
  }
}
