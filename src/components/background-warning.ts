/**
 * A note that this device may stop playing in the background (or did), with a Dismiss button.
 * Renders nothing without a message; the mobile feature decides the message.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** The person dismissed the background warning. */
export class BackgroundWarningDismissEvent extends Event {
  static readonly type = 'background-warning-dismiss';
  constructor() {
    super(BackgroundWarningDismissEvent.type, { bubbles: true, composed: true });
  }
}

@customElement('tutti-background-warning')
export class BackgroundWarning extends LitElement {
  static override styles = css`
    :host { display: block; }
    .note { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin-top: 0.8rem; padding: 0.5rem 0.8rem; border-radius: 0.4rem; background: #fff4d6; color: #4a3b00; }
    button { font: inherit; }
  `;

  /** What to tell the person; null shows nothing. */
  @property() message: string | null = null;

  override render() {
    if (this.message === null) return nothing;
    return html`<div class="note" role="note" aria-label="Background playback">
      <span>${this.message}</span>
      <button @click=${this.dismiss}>Dismiss</button>
    </div>`;
  }

  private dismiss(): void {
    this.dispatchEvent(new BackgroundWarningDismissEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-background-warning': BackgroundWarning;
  }
  interface HTMLElementEventMap {
    'background-warning-dismiss': BackgroundWarningDismissEvent;
  }
}
