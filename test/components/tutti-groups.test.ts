import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/tutti-groups.js';
import type { TuttiGroupCard } from '../../src/components/group-card.js';
import type { GroupAction } from '../../src/components/group-events.js';
import type { TuttiGroups } from '../../src/components/tutti-groups.js';
import { applyGroupCommand } from '../../src/sync/group-commands.js';
import { emptyRoomGroups, type RoomGroups } from '../../src/sync/group-state.js';
import { buildGroupsView, type KnownSpeaker } from '../../src/sync/groups-view.js';
import { emptyRoomPlayState, type RoomPlayState } from '../../src/sync/play-state.js';

const SPEAKERS: KnownSpeaker[] = [
  { speakerId: 'kitchen1', name: 'Kitchen', connected: true },
  { speakerId: 'den12345', name: 'Den', connected: true },
  { speakerId: 'office12', name: 'Office', connected: false },
];
const GROUP = 'gdownstai';

function roomWithDownstairs(): RoomGroups {
  return applyGroupCommand(emptyRoomGroups(), { type: 'createGroup', groupId: GROUP, name: 'Downstairs', memberIds: ['kitchen1', 'den12345'] }, 1).state;
}

const playingDownstairs: RoomPlayState = {
  version: 1,
  zones: {
    [GROUP]: {
      zoneId: GROUP, members: ['kitchen1', 'den12345'], currentIndex: 0, status: 'playing', startSharedMs: 0, startPositionSec: 0, pausedPositionSec: 0, volume: 0.5, revision: 3,
      queue: [{ trackId: 'a'.repeat(64), title: 'Crash Into Me', artist: 'Dave Matthews Band', durationSec: 300 }],
    },
  },
};

async function view(groups: RoomGroups, play: RoomPlayState = emptyRoomPlayState()): Promise<{ el: TuttiGroups; actions: GroupAction[] }> {
  const el = await fixture<TuttiGroups>(html`<tutti-groups></tutti-groups>`);
  el.view = buildGroupsView(groups, play, SPEAKERS);
  await el.updateComplete;
  const actions: GroupAction[] = [];
  el.addEventListener('group-action', (e) => actions.push(e.action));
  return { el, actions };
}

async function card(el: TuttiGroups): Promise<TuttiGroupCard> {
  const c = el.shadowRoot!.querySelector('tutti-group-card')!;
  await c.updateComplete;
  return c;
}

const buttonNamed = (root: ShadowRoot, name: string): HTMLButtonElement =>
  [...root.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent!.trim()) === name)!;

describe('<tutti-groups>', () => {
  it('creates a group from a name and at least two ticked speakers, and says what is missing', async () => {
    const { el, actions } = await view(emptyRoomGroups());
    const root = el.shadowRoot!;
    const form = root.querySelector('form')!;
    (form.querySelector('input[name=name]') as HTMLInputElement).value = 'Downstairs';
    (root.querySelector('input[value=kitchen1]') as HTMLInputElement).checked = true;
    form.requestSubmit();
    await el.updateComplete;
    expect(root.querySelector('[role=alert]')?.textContent).to.equal('Pick at least two speakers');
    expect(actions).to.deep.equal([]);
    (root.querySelector('input[value=den12345]') as HTMLInputElement).checked = true;
    form.requestSubmit();
    expect(actions).to.deep.equal([{ type: 'create', name: 'Downstairs', memberIds: ['kitchen1', 'den12345'] }]);
  });

  it('keeps a ticked speaker ticked when the list re-orders (a speaker connects while the form is filled)', async () => {
    const { el, actions } = await view(emptyRoomGroups());
    const root = el.shadowRoot!;
    (root.querySelector('input[value=office12]') as HTMLInputElement).checked = true;
    (root.querySelector('input[value=den12345]') as HTMLInputElement).checked = true;
    el.view = buildGroupsView(emptyRoomGroups(), emptyRoomPlayState(), [SPEAKERS[2]!, SPEAKERS[0]!, SPEAKERS[1]!].reverse());
    await el.updateComplete;
    const form = root.querySelector('form')!;
    (form.querySelector('input[name=name]') as HTMLInputElement).value = 'Back';
    form.requestSubmit();
    const created = actions[0];
    expect(actions.length).to.equal(1);
    expect(created?.type === 'create' ? [...created.memberIds].sort() : null).to.deep.equal(['den12345', 'office12']);
  });

  it('shows a group card with members, what plays, and sends transport, volume, move and pair actions', async () => {
    const { el, actions } = await view(roomWithDownstairs(), playingDownstairs);
    const c = await card(el);
    const root = c.shadowRoot!;
    expect(root.querySelector('article')!.getAttribute('aria-label')).to.equal('Group Downstairs');
    expect([...root.querySelectorAll('li')].map((li) => li.firstChild && li.textContent!.trim().split('\n')[0]!.trim())).to.deep.equal(['Kitchen', 'Den']);
    expect(root.querySelector('[role=status]')!.textContent).to.equal('Playing: Crash Into Me — Dave Matthews Band');
    buttonNamed(root, 'Pause Downstairs').click();
    const volume = root.querySelector('input[aria-label="Downstairs volume"]') as HTMLInputElement;
    expect(volume.value).to.equal('0.5');
    volume.value = '0.8';
    volume.dispatchEvent(new Event('change'));
    const move = root.querySelector('select[aria-label="Move Den to"]') as HTMLSelectElement;
    move.value = 'none';
    move.dispatchEvent(new Event('change'));
    (root.querySelector('input[type=checkbox]') as HTMLInputElement).click();
    expect(actions).to.deep.equal([
      { type: 'pause', groupId: GROUP },
      { type: 'volume', groupId: GROUP, volume: 0.8 },
      { type: 'move', speakerId: 'den12345', groupId: null },
      { type: 'pair', groupId: GROUP, pair: { leftId: 'kitchen1', rightId: 'den12345' } },
    ]);
  });

  it('lists speakers in no group (offline ones marked) with a menu to add them to a group; renames inline', async () => {
    const { el, actions } = await view(roomWithDownstairs());
    const loose = el.shadowRoot!.querySelector('[aria-label="Speakers in no group"]')!;
    expect(loose.textContent).to.contain('Office (offline)');
    const add = loose.querySelector('select[aria-label="Move Office to"]') as HTMLSelectElement;
    add.value = GROUP;
    add.dispatchEvent(new Event('change'));
    const c = await card(el);
    buttonNamed(c.shadowRoot!, 'Rename Downstairs').click();
    await c.updateComplete;
    const form = c.shadowRoot!.querySelector('form')!;
    (form.querySelector('input[name=name]') as HTMLInputElement).value = 'Ground floor';
    form.requestSubmit();
    expect(actions).to.deep.equal([
      { type: 'move', speakerId: 'office12', groupId: GROUP },
      { type: 'rename', groupId: GROUP, name: 'Ground floor' },
    ]);
    expect(c.shadowRoot!.querySelector('[role=status]')!.textContent).to.equal('Not playing');
  });
});
