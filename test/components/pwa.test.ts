import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/update-prompt.js';
import '../../src/components/install-button.js';
import type { InstallButton } from '../../src/components/install-button.js';
import type { UpdatePrompt } from '../../src/components/update-prompt.js';
import type { InstallRequestEvent, UpdateAcceptEvent } from '../../src/components/events.js';

describe('<tutti-update-prompt>', () => {
  it('renders nothing until an update is ready', async () => {
    const el = await fixture<UpdatePrompt>(html`<tutti-update-prompt></tutti-update-prompt>`);
    expect(el.shadowRoot!.querySelector('button')).to.equal(null);
    expect(el.shadowRoot!.textContent!.trim()).to.equal('');
  });

  it('shows "A new version is ready" with a Reload button that sends update-accept', async () => {
    const el = await fixture<UpdatePrompt>(html`<tutti-update-prompt ready></tutti-update-prompt>`);
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.contain('A new version is ready');
    const button = el.shadowRoot!.querySelector('button')!;
    expect(button.textContent).to.equal('Reload');
    await expect(el).shadowDom.to.be.accessible();
    const event = oneEvent(el, 'update-accept') as unknown as Promise<UpdateAcceptEvent>;
    button.click();
    expect((await event).composed).to.equal(true);
  });
});

describe('<tutti-install-button>', () => {
  it('renders nothing in mode none', async () => {
    const el = await fixture<InstallButton>(html`<tutti-install-button></tutti-install-button>`);
    expect(el.shadowRoot!.textContent!.trim()).to.equal('');
  });

  it('offers an Install button that sends install-request when the browser has a prompt', async () => {
    const el = await fixture<InstallButton>(html`<tutti-install-button mode="prompt"></tutti-install-button>`);
    const button = el.shadowRoot!.querySelector('button')!;
    expect(button.textContent).to.equal('Install Tutti');
    await expect(el).shadowDom.to.be.accessible();
    const event = oneEvent(el, 'install-request') as unknown as Promise<InstallRequestEvent>;
    button.click();
    expect((await event).bubbles).to.equal(true);
  });

  it('shows the Add to Home Screen hint on iOS Safari and follows mode changes', async () => {
    const el = await fixture<InstallButton>(html`<tutti-install-button mode="ios-hint"></tutti-install-button>`);
    expect(el.shadowRoot!.textContent).to.contain('Share → Add to Home Screen');
    expect(el.shadowRoot!.querySelector('button')).to.equal(null);
    el.mode = 'none';
    await el.updateComplete;
    expect(el.shadowRoot!.textContent!.trim()).to.equal('');
  });
});
