import { expect } from '@open-wc/testing';
import { decodeGroupCommand, decodeRoomGroups, mergeGroups } from '../../src/sync/group-codec.js';
import { applyGroupCommand, type GroupCommand } from '../../src/sync/group-commands.js';
import { channelOf, emptyRoomGroups, groupOfSpeaker, liveGroups, MAX_GROUPS, type RoomGroups } from '../../src/sync/group-state.js';

const G1 = 'gdownstai';
const G2 = 'gupstairs';
const [KITCHEN, DEN, OFFICE, BEDROOM] = ['kitchen1', 'den12345', 'office12', 'bedroom1'];

/** Applies commands in order at increasing times, failing on any refusal. */
function run(state: RoomGroups, ...commands: GroupCommand[]): RoomGroups {
  return commands.reduce((s, cmd, i) => {
    const result = applyGroupCommand(s, cmd, 1000 + i);
    if (result.error !== undefined) throw new Error(`${cmd.type}: ${result.error}`);
    return result.state;
  }, state);
}

const downstairs: GroupCommand = { type: 'createGroup', groupId: G1, name: 'Downstairs', memberIds: [KITCHEN, DEN] };

describe('group commands', () => {
  it('creates, renames, edits and deletes groups, raising revisions by one per change', () => {
    const created = run(emptyRoomGroups(), downstairs);
    expect(created.groups[G1]).to.include({ name: 'Downstairs', revision: 1, deleted: false, editedAtMs: 1000 });
    const renamed = run(created, { type: 'renameGroup', groupId: G1, name: '  Down   stairs ' });
    expect(renamed.groups[G1]).to.include({ name: 'Down stairs', revision: 2 });
    const edited = run(renamed, { type: 'setMembers', groupId: G1, memberIds: [KITCHEN, DEN, OFFICE] });
    expect(edited.groups[G1]!.memberIds).to.deep.equal([KITCHEN, DEN, OFFICE]);
    const deleted = run(edited, { type: 'deleteGroup', groupId: G1 });
    expect(deleted.groups[G1]).to.include({ deleted: true, revision: 4 });
    expect(deleted.groups[G1]!.memberIds).to.deep.equal([]);
    expect(liveGroups(deleted)).to.deep.equal([]);
  });

  it('keeps a speaker in one group: creating or moving takes it out of the old one', () => {
    let s = run(emptyRoomGroups(), downstairs, { type: 'createGroup', groupId: G2, name: 'Upstairs', memberIds: [OFFICE, DEN] });
    expect(s.groups[G1]!.memberIds).to.deep.equal([KITCHEN]);
    expect(groupOfSpeaker(s, DEN)?.groupId).to.equal(G2);
    s = run(s, { type: 'moveSpeaker', speakerId: KITCHEN, groupId: G2 });
    expect(s.groups[G1]!.deleted, 'a group left empty becomes a tombstone').to.equal(true);
    expect(s.groups[G2]!.memberIds).to.deep.equal([OFFICE, DEN, KITCHEN]);
    s = run(s, { type: 'moveSpeaker', speakerId: OFFICE, groupId: null });
    expect(groupOfSpeaker(s, OFFICE)).to.equal(undefined);
  });

  it('refuses bad commands with words for the user and leaves the state itself', () => {
    const s = run(emptyRoomGroups(), downstairs);
    const refusals: [GroupCommand, RegExp][] = [
      [{ type: 'createGroup', groupId: G2, name: 'downstairs', memberIds: [OFFICE, BEDROOM] }, /already a group called/],
      [{ type: 'createGroup', groupId: G2, name: 'Solo', memberIds: [OFFICE] }, /at least two/],
      [{ type: 'createGroup', groupId: G1, name: 'Again', memberIds: [OFFICE, BEDROOM] }, /taken/],
      [{ type: 'createGroup', groupId: G2, name: '   ', memberIds: [OFFICE, BEDROOM] }, /needs a name/],
      [{ type: 'renameGroup', groupId: G2, name: 'X' }, /no such group/],
      [{ type: 'setMembers', groupId: G1, memberIds: [] }, /at least one/],
      [{ type: 'setPair', groupId: G1, pair: { leftId: KITCHEN, rightId: OFFICE } }, /exactly two/],
      [{ type: 'moveSpeaker', speakerId: 'NOT VALID', groupId: G1 } as GroupCommand, /speakerId is not valid/],
      [{ type: 'explode' } as unknown as GroupCommand, /unknown group command/],
    ];
    for (const [cmd, reason] of refusals) {
      const result = applyGroupCommand(s, cmd, 5000);
      expect(result.error, cmd.type).to.match(reason);
      expect(result.state).to.equal(s);
    }
  });

  it('a stereo pair is two members, one per side; changing the members ends it', () => {
    let s = run(emptyRoomGroups(), downstairs, { type: 'setPair', groupId: G1, pair: { leftId: DEN, rightId: KITCHEN } });
    expect([channelOf(s, DEN), channelOf(s, KITCHEN), channelOf(s, OFFICE)]).to.deep.equal(['left', 'right', 'both']);
    s = run(s, { type: 'moveSpeaker', speakerId: OFFICE, groupId: G1 });
    expect(s.groups[G1]!.pair).to.equal(null);
    expect(channelOf(s, DEN)).to.equal('both');
  });

  it('records each speaker\'s name and mix, changing the revision only on change', () => {
    const info: GroupCommand = { type: 'speakerInfo', speakerId: KITCHEN, name: 'Kitchen', volume: 0.5, muted: false };
    const s = run(emptyRoomGroups(), info);
    expect(s.speakers[KITCHEN]).to.deep.equal({ name: 'Kitchen', volume: 0.5, muted: false, revision: 1 });
    expect(applyGroupCommand(s, info, 2000).state).to.equal(s);
    expect(run(s, { ...info, muted: true } as GroupCommand).speakers[KITCHEN]!.revision).to.equal(2);
  });

  it('prunes the oldest tombstones past the group limit', () => {
    let s = emptyRoomGroups();
    for (let i = 0; i < MAX_GROUPS + 5; i++) {
      const id = `g${String(i).padStart(8, '0')}`;
      s = run(s, { type: 'createGroup', groupId: id, name: `G${i}`, memberIds: [KITCHEN, DEN] });
    }
    expect(Object.keys(s.groups).length).to.equal(MAX_GROUPS);
    expect(liveGroups(s).map((g) => g.name)).to.deep.equal([`G${MAX_GROUPS + 4}`]);
  });
});

describe('group codec', () => {
  it('round-trips a valid state through JSON and refuses broken invariants', () => {
    const s = run(emptyRoomGroups(), downstairs, { type: 'speakerInfo', speakerId: DEN, name: 'Den', volume: 1, muted: false });
    const decoded = decodeRoomGroups(JSON.parse(JSON.stringify(s)));
    expect(decoded).to.deep.equal({ ok: true, value: s });
    const twoGroups = JSON.parse(JSON.stringify(s)) as { groups: Record<string, unknown> };
    twoGroups.groups[G2] = { ...s.groups[G1]!, groupId: G2, name: 'Other' };
    expect(decodeRoomGroups(twoGroups)).to.deep.include({ ok: false, reason: 'a speaker is in at most one group' });
    expect(decodeRoomGroups({ ...s, version: 2 })).to.deep.include({ ok: false });
    expect(decodeRoomGroups({ ...s, groups: { [G2]: s.groups[G1] } })).to.deep.include({ ok: false, reason: 'group key must equal its id' });
    expect(decodeRoomGroups(null).ok).to.equal(false);
    const hostile = { version: 1, groups: {}, get speakers(): never { throw new Error('boom'); } };
    expect(decodeRoomGroups(hostile)).to.deep.equal({ ok: false, reason: 'malformed input' });
  });

  it('decodes commands from their known fields only', () => {
    const decoded = decodeGroupCommand({ type: 'renameGroup', groupId: G1, name: 'Den', extra: 'dropped' });
    expect(decoded).to.deep.equal({ ok: true, value: { type: 'renameGroup', groupId: G1, name: 'Den' } });
    expect(decodeGroupCommand({ type: 'speakerInfo', speakerId: DEN, name: 'x', volume: 2, muted: false }).ok).to.equal(false);
  });
});

describe('merging copies of the groups', () => {
  const base = run(emptyRoomGroups(), downstairs);

  it('takes the newer copy of each group, and returns the local state itself when nothing is newer', () => {
    const renamed = run(base, { type: 'renameGroup', groupId: G1, name: 'Ground floor' });
    expect(mergeGroups(base, renamed).groups[G1]!.name).to.equal('Ground floor');
    expect(mergeGroups(renamed, base)).to.equal(renamed);
    const deleted = run(base, { type: 'deleteGroup', groupId: G1 });
    expect(mergeGroups(deleted, base), 'a stale copy does not revive a deleted group').to.equal(deleted);
  });

  it('resolves concurrent edits the same way on every tab (later edit wins, order does not matter)', () => {
    // Two partitions each edited the same group once (equal revisions) and created clashing groups.
    const left = [applyGroupCommand(base, { type: 'renameGroup', groupId: G1, name: 'Left name' }, 2000).state]
      .map((s) => applyGroupCommand(s, { type: 'createGroup', groupId: 'gaaaaaaaa', name: 'Upstairs', memberIds: [OFFICE, BEDROOM] }, 2100).state)[0]!;
    const right = [applyGroupCommand(base, { type: 'renameGroup', groupId: G1, name: 'Right name' }, 3000).state]
      .map((s) => applyGroupCommand(s, { type: 'createGroup', groupId: 'gbbbbbbbb', name: 'upstairs', memberIds: [BEDROOM, 'attic123'] }, 3100).state)[0]!;
    const ab = mergeGroups(left, right);
    const ba = mergeGroups(right, left);
    expect(ab).to.deep.equal(ba);
    expect(ab.groups[G1]!.name).to.equal('Right name');
    expect(ab.groups.gbbbbbbbb!.memberIds).to.deep.equal([BEDROOM, 'attic123']);
    expect(ab.groups.gaaaaaaaa, 'the older group loses the contested speaker and the name').to.include({ name: 'Upstairs 2' });
    expect(ab.groups.gaaaaaaaa!.memberIds).to.deep.equal([OFFICE]);
    expect(decodeRoomGroups(JSON.parse(JSON.stringify(ab))).ok, 'the merge keeps every invariant').to.equal(true);
  });
});
