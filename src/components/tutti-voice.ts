/**
 * Voice commands UI: a Talk button (push-to-talk toggle), a hands-free switch ("Tutti, …"), a
 * typed command box using the same grammar, and the last heard words and reply (a polite live
 * region). Renders `state`; sends voice-listen, voice-command and voice-handsfree up.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { VoiceState } from '../features/voice-controller.js';

/** What the voice UI shows: the controller's state. */
export type VoiceViewState = VoiceState;

/** The person pressed Talk: `start` true to listen, false to stop listening. */
export class VoiceListenEvent extends Event {
  static readonly type = 'voice-listen';
  constructor(readonly start: boolean) {
    super(VoiceListenEvent.type, { bubbles: true, composed: true });
  }
}

/** The person typed a command (trimmed, non-empty). */
export class VoiceCommandEvent extends Event {
  static readonly type = 'voice-command';
  constructor(readonly text: string) {
    super(VoiceCommandEvent.type, { bubbles: true, composed: true });
  }
}

/** The person switched hands-free listening on or off. */
export class VoiceHandsFreeEvent extends Event {
  static readonly type = 'voice-handsfree';
  constructor(readonly on: boolean) {
    super(VoiceHandsFreeEvent.type, { bubbles: true, composed: true });
  }
}

const IDLE: VoiceViewState = { supported: false, listening: false, handsFree: false, busy: false, transcript: null, reply: null };

@customElement('tutti-voice')
export class TuttiVoice extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 0.5rem; }
    .talk[aria-pressed='true'] { font-weight: bold; }
    form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
    input[type='text'] { font: inherit; min-width: 14rem; flex: 1; }
    button { font: inherit; }
    .hint, .heard { margin: 0.25rem 0; font-size: 0.9rem; opacity: 0.85; }
    .reply { margin: 0.25rem 0; }
  `;

  @property({ attribute: false }) state: VoiceViewState = IDLE;

  override render() {
    const { supported, listening, handsFree, busy, transcript, reply } = this.state;
    return html`
      <section aria-label="Voice commands">
        ${supported
          ? html`<div class="controls">
              <button class="talk" type="button" aria-pressed=${listening && !handsFree ? 'true' : 'false'} ?disabled=${handsFree} @click=${this.toggleListening}>
                ${listening && !handsFree ? 'Listening…' : 'Talk'}
              </button>
              <label><input type="checkbox" class="hands-free" .checked=${handsFree} @change=${this.toggleHandsFree} /> Hands-free (say “Tutti, …”)</label>
              ${handsFree && listening ? html`<span class="hint">Listening for “Tutti”…</span>` : nothing}
            </div>`
          : html`<p class="hint unsupported">Voice needs Chrome/Safari; type a command instead.</p>`}
        <form @submit=${this.submit}>
          <label for="voice-command">Type a command</label>
          <input id="voice-command" name="command" type="text" autocomplete="off" placeholder="play some music in the kitchen" />
          <button type="submit" ?disabled=${busy}>Send</button>
        </form>
        <div class="status" role="status" aria-live="polite">
          ${transcript !== null ? html`<p class="heard">Heard: “${transcript}”</p>` : nothing}
          ${reply !== null ? html`<p class="reply">${reply}</p>` : nothing}
        </div>
      </section>
    `;
  }

  private toggleListening(): void {
    this.dispatchEvent(new VoiceListenEvent(!this.state.listening));
  }

  private toggleHandsFree(event: Event): void {
    this.dispatchEvent(new VoiceHandsFreeEvent((event.target as HTMLInputElement).checked));
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#voice-command');
    const text = input?.value.trim() ?? '';
    if (input === null || text === '') return;
    input.value = '';
    this.dispatchEvent(new VoiceCommandEvent(text));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-voice': TuttiVoice;
  }
  interface HTMLElementEventMap {
    'voice-listen': VoiceListenEvent;
    'voice-command': VoiceCommandEvent;
    'voice-handsfree': VoiceHandsFreeEvent;
  }
}
