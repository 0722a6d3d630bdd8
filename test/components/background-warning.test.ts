import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/background-warning.js';
import type { BackgroundWarning, BackgroundWarningDismissEvent } from '../../src/components/background-warning.js';

describe('<tutti-background-warning>', () => {
  it('renders nothing without a message', async () => {
    const el = await fixture<BackgroundWarning>(html`<tutti-background-warning></tutti-background-warning>`);
    expect(el.shadowRoot!.textContent!.trim()).to.equal('');
  });

  it('shows the message with a Dismiss button that sends background-warning-dismiss', async () => {
    const el = await fixture<BackgroundWarning>(html`<tutti-background-warning .message=${'Sound stops when the screen locks.'}></tutti-background-warning>`);
    expect(el.shadowRoot!.querySelector('[role="note"]')!.textContent).to.contain('Sound stops when the screen locks.');
    await expect(el).shadowDom.to.be.accessible();
    const event = oneEvent(el, 'background-warning-dismiss') as unknown as Promise<BackgroundWarningDismissEvent>;
    el.shadowRoot!.querySelector('button')!.click();
    expect((await event).composed).to.equal(true);
  });
});
