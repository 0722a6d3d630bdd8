/** "A new version is ready — Reload": shown while a new service worker waits. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { UpdateAcceptEvent } from './events.js';

@customElement('tutti-update-prompt')
export class UpdatePrompt extends LitElement {
  static override styles = css`
    :host { display: block; }
    .bar { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; padding: 0.5rem 0.8rem; border-radius: 0.4rem; background: #1b1f3b; color: #ffffff; }
    button { font: inherit; }
  `;

  /** True while a new version waits to take over. */
  @property({ type: Boolean }) ready = false;

  override render() {
    if (!this.ready) return nothing;
    return html`<div class="bar" role="status">
      <span>A new version is ready</span>
      <button @click=${this.accept}>Reload</button>
    </div>`;
  }

  private accept(): void {
    this.dispatchEvent(new UpdateAcceptEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-update-prompt': UpdatePrompt;
  }
}
