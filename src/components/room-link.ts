/** The room's link to share: text, a copy button, and a QR code for phones. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';

/**
 * The QR code's mask, fixed: any of the 8 is valid for every reader, and searching for the best
 * one was most of the code's cost (a joining page made it mid-join: 60–80 ms of its main thread).
 */
const QR_MASK_PATTERN = 0;

/** Makes the SVG markup of a QR code for `text`. */
export type QrRenderer = (text: string) => Promise<string>;

/** The QR renderer in use by default: the qrcode library, loaded on first use (it is not in the entry). */
export const renderQrSvg: QrRenderer = async (text) => {
  const { toString } = await import('qrcode');
  return toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', maskPattern: QR_MASK_PATTERN });
};

@customElement('tutti-room-link')
export class RoomLink extends LitElement {
  static override styles = css`
    :host { display: block; }
    .row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    a { word-break: break-all; }
    .qr { width: 9rem; height: 9rem; background: white; padding: 0.3rem; border-radius: 0.4rem; }
    .qr svg { width: 100%; height: 100%; }
    .hint { margin: 0.25rem 0 0; font-size: 0.85em; }
  `;

  /** The URL others open to join. */
  @property() url = '';
  /** Makes the QR code (swapped in tests). */
  @property({ attribute: false }) renderQr: QrRenderer = renderQrSvg;
  @state() private qrSvg: string | null = null;
  @state() private copyState: 'idle' | 'copied' | 'failed' = 'idle';

  protected override willUpdate(changed: Map<string, unknown>): void {
    // A new link: the old code and "Copied" no longer apply.
    if (changed.has('url')) {
      this.qrSvg = null;
      this.copyState = 'idle';
    }
  }

  protected override async updated(changed: Map<string, unknown>): Promise<void> {
    if (!changed.has('url') || this.url === '') return;
    const url = this.url;
    try {
      const svg = await this.renderQr(url);
      // Only the code of the link shown: a slower render of an earlier link may finish last.
      if (this.url === url) this.qrSvg = svg;
    } catch (error) {
      console.warn(`[tutti] no QR code for the room link: ${String(error)}`);
    }
  }

  override render() {
    return html`<div class="row">
        <span>Room link: <a href=${this.url}>${this.url}</a></span>
        <button @click=${this.copyLink}>${this.copyState === 'copied' ? 'Copied' : 'Copy link'}</button>
      </div>
      ${this.copyState === 'failed' ? html`<p class="hint" role="status">Could not copy: select the link (or press and hold it) to copy it.</p>` : nothing}
      ${this.qrSvg === null
        ? nothing
        : html`<div class="qr" role="img" aria-label="QR code of the room link">${unsafeHTML(this.qrSvg)}</div>`}`;
  }

  private async copyLink(): Promise<void> {
    const url = this.url;
    try {
      await navigator.clipboard.writeText(url);
      if (this.url === url) this.copyState = 'copied';
    } catch {
      if (this.url === url) this.copyState = 'failed';
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-room-link': RoomLink;
  }
}
