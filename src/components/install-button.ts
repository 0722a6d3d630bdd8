/** Install affordance: the browser's prompt behind a button, or the iOS "Add to Home Screen" hint. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { InstallMode } from '../sync/install-hint.js';
import { InstallRequestEvent } from './events.js';

@customElement('tutti-install-button')
export class InstallButton extends LitElement {
  static override styles = css`
    :host { display: inline-block; }
    .hint { margin: 0; font-size: 0.85rem; opacity: 0.85; }
    button { font: inherit; }
  `;

  /** Which affordance to show (src/sync/install-hint.ts). */
  @property() mode: InstallMode = InstallMode.none;

  override render() {
    switch (this.mode) {
      case InstallMode.prompt:
        return html`<button @click=${this.request}>Install Tutti</button>`;
      case InstallMode.iosHint:
        return html`<p class="hint">Install: tap Share → Add to Home Screen</p>`;
      default:
        return nothing;
    }
  }

  private request(): void {
    this.dispatchEvent(new InstallRequestEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-install-button': InstallButton;
  }
}
