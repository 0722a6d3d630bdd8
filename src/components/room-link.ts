/** The room's link to share: text, a copy button, and a QR code for phones. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';

/**
 * The QR code's mask, fixed: any of the 8 is valid for every reader, and searching for the best
 * one was most of the code's cost (a joining page made it mid-join: 60–80 ms of its main thread).
 */
const QR_MASK_PATTERN = 0;

@customElement('tutti-room-link')
export class RoomLink extends LitElement {
  static override styles = css`
    :host { display: block; }
    .row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    a { word-break: break-all; }
    .qr { width: 9rem; height: 9rem; background: white; padding: 0.3rem; border-radius: 0.4rem; }
    .qr svg { width: 100%; height: 100%; }
  `;

  /** The URL others open to join. */
  @property() url = '';
  @state() private qrSvg: string | null = null;
  @state() private copied = false;

  protected override async updated(changed: Map<string, unknown>): Promise<void> {
    if (!changed.has('url') || this.url === '') return;
    const { toString } = await import('qrcode');
    this.qrSvg = await toString(this.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', maskPattern: QR_MASK_PATTERN });
  }

  override render() {
    return html`<div class="row">
        <span>Room link: <a href=${this.url}>${this.url}</a></span>
        <button @click=${this.copy}>${this.copied ? 'Copied' : 'Copy link'}</button>
      </div>
      ${this.qrSvg === null
        ? nothing
        : html`<div class="qr" role="img" aria-label="QR code of the room link">${unsafeHTML(this.qrSvg)}</div>`}`;
  }

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.url);
      this.copied = true;
    } catch {
      this.copied = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-room-link': RoomLink;
  }
}
