import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/components/room-link.js';
import type { QrRenderer, RoomLink } from '../../src/components/room-link.js';

/** A QR renderer whose results the test releases, per text, in any order. */
function controlledRenderer(): { render: QrRenderer; asked: string[]; release(text: string): void } {
  const pending = new Map<string, () => void>();
  const asked: string[] = [];
  return {
    asked,
    render: (text) =>
      new Promise<string>((resolve) => {
        asked.push(text);
        pending.set(text, () => resolve(`<svg data-text="${text}"></svg>`));
      }),
    release: (text) => pending.get(text)?.(),
  };
}

const qrText = (el: RoomLink): string | null => el.shadowRoot!.querySelector('.qr svg')?.getAttribute('data-text') ?? null;

/** Replaces navigator.clipboard for one test; returns the restore function. */
function stubClipboard(writeText: (text: string) => Promise<void>): () => void {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  return () => delete (navigator as unknown as Record<string, unknown>)['clipboard'];
}

describe('<tutti-room-link>', () => {
  it('shows the link and a QR code of it, labelled for screen readers', async () => {
    const qr = controlledRenderer();
    const el = await fixture<RoomLink>(html`<tutti-room-link .renderQr=${qr.render} .url=${'http://192.168.1.5:8080/?room=abc'}></tutti-room-link>`);
    const link = el.shadowRoot!.querySelector('a')!;
    expect(link.getAttribute('href')).to.equal('http://192.168.1.5:8080/?room=abc');
    expect(el.shadowRoot!.querySelector('.qr')).to.equal(null);
    qr.release('http://192.168.1.5:8080/?room=abc');
    await waitUntil(() => qrText(el) !== null, 'the QR code did not appear');
    expect(qrText(el)).to.equal('http://192.168.1.5:8080/?room=abc');
    expect(el.shadowRoot!.querySelector('.qr')!.getAttribute('aria-label')).to.equal('QR code of the room link');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('never shows the code of an earlier link, even when it finishes last', async () => {
    const qr = controlledRenderer();
    const el = await fixture<RoomLink>(html`<tutti-room-link .renderQr=${qr.render} .url=${'http://a/?room=one'}></tutti-room-link>`);
    el.url = 'http://a/?room=two';
    await el.updateComplete;
    await waitUntil(() => qr.asked.length === 2, 'the second code was not asked for');
    qr.release('http://a/?room=two');
    await waitUntil(() => qrText(el) !== null, 'the second code did not appear');
    qr.release('http://a/?room=one');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await el.updateComplete;
    expect(qrText(el)).to.equal('http://a/?room=two');
  });

  it('drops the old code as soon as the link changes', async () => {
    const qr = controlledRenderer();
    const el = await fixture<RoomLink>(html`<tutti-room-link .renderQr=${qr.render} .url=${'http://a/?room=one'}></tutti-room-link>`);
    qr.release('http://a/?room=one');
    await waitUntil(() => qrText(el) !== null, 'the first code did not appear');
    el.url = 'http://a/?room=two';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.qr')).to.equal(null);
  });

  it('copies the link, and says how to copy it by hand when the clipboard refuses', async () => {
    const written: string[] = [];
    let restore = stubClipboard(async (text) => {
      written.push(text);
    });
    try {
      const el = await fixture<RoomLink>(html`<tutti-room-link .renderQr=${controlledRenderer().render} .url=${'http://a/?room=one'}></tutti-room-link>`);
      const button = el.shadowRoot!.querySelector('button')!;
      expect(button.textContent!.trim()).to.equal('Copy link');
      button.click();
      await waitUntil(() => button.textContent!.trim() === 'Copied', 'the button did not say Copied');
      expect(written).to.deep.equal(['http://a/?room=one']);
      restore();
      restore = stubClipboard(() => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')));
      el.url = 'http://a/?room=two';
      await el.updateComplete;
      expect(button.textContent!.trim()).to.equal('Copy link');
      button.click();
      await waitUntil(() => el.shadowRoot!.querySelector('[role="status"]') !== null, 'no message when copying failed');
      expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.contain('select the link');
      expect(button.textContent!.trim()).to.equal('Copy link');
    } finally {
      restore();
    }
  });
});
