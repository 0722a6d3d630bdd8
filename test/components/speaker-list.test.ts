import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/speaker-list.js';
import '../../src/components/name-editor.js';
import type { MemberView } from '../../src/room/room-snapshot.js';
import type { NameEditor } from '../../src/components/name-editor.js';
import type { NameChangeEvent } from '../../src/components/events.js';

const members: MemberView[] = [
  { peerId: 'tutti-r-self01', name: 'Kitchen', role: 'speaker', isSelf: true, isLeader: false, state: 'self', rttMs: null, clock: { offsetMs: 1234.5678, uncertaintyMs: 0.012, rttMs: 0.41, converged: true } },
  { peerId: 'tutti-r-peer01', name: 'Den', role: 'speaker', isSelf: false, isLeader: true, state: 'connected', rttMs: 0.52, clock: null },
  { peerId: 'tutti-r-peer02', name: 'Phone', role: 'remote', isSelf: false, isLeader: false, state: 'unresponsive', rttMs: 3.1, clock: { offsetMs: -2, uncertaintyMs: 0.5, rttMs: 2, converged: false } },
];

describe('<tutti-speaker-list>', () => {
  it('renders an accessible list named "Speakers" with one item per member', async () => {
    const el = await fixture(html`<tutti-speaker-list .members=${members}></tutti-speaker-list>`);
    const list = el.shadowRoot!.querySelector('ul')!;
    expect(list.getAttribute('aria-label')).to.equal('Speakers');
    const items = [...list.querySelectorAll('li')];
    expect(items.map((li) => li.querySelector('.name')!.textContent)).to.deep.equal(['Kitchen', 'Den', 'Phone']);
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows the leader badge once, connection state, RTT and clock facts', async () => {
    const el = await fixture(html`<tutti-speaker-list .members=${members}></tutti-speaker-list>`);
    const items = [...el.shadowRoot!.querySelectorAll('li')];
    expect(el.shadowRoot!.querySelectorAll('.badge[title]').length).to.equal(1);
    expect(items[1]!.getAttribute('aria-label')).to.equal('Den, leader');
    expect(items[0]!.textContent).to.contain('+1234.568 ms ± 0.012 ms');
    expect(items[1]!.textContent).to.contain('RTT 0.52 ms');
    expect(items[1]!.textContent).to.contain('keeps the room clock');
    expect(items[2]!.querySelector('.state')!.getAttribute('data-state')).to.equal('unresponsive');
    expect(items[2]!.textContent).to.contain('(converging)');
  });

  it('updates when members change', async () => {
    const el = await fixture<HTMLElementTagNameMap['tutti-speaker-list']>(html`<tutti-speaker-list .members=${members}></tutti-speaker-list>`);
    el.members = members.slice(0, 1);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('li').length).to.equal(1);
  });
});

describe('<tutti-name-editor>', () => {
  it('sends name-change with the trimmed new name on submit', async () => {
    const el = await fixture<NameEditor>(html`<tutti-name-editor name="Laptop"></tutti-name-editor>`);
    const input = el.shadowRoot!.querySelector('input')!;
    input.value = '  Kitchen ';
    const event = oneEvent(el, 'name-change') as unknown as Promise<NameChangeEvent>;
    el.shadowRoot!.querySelector('button')!.click();
    expect((await event).name).to.equal('Kitchen');
  });

  it('does not send an event for an unchanged or empty name', async () => {
    const el = await fixture<NameEditor>(html`<tutti-name-editor name="Laptop"></tutti-name-editor>`);
    let fired = 0;
    el.addEventListener('name-change', () => fired++);
    const input = el.shadowRoot!.querySelector('input')!;
    input.value = 'Laptop';
    el.shadowRoot!.querySelector('form')!.requestSubmit();
    input.value = '';
    el.shadowRoot!.querySelector('form')!.requestSubmit();
    expect(fired).to.equal(0);
  });
});
