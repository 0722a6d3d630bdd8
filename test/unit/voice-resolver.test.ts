import { expect } from '@open-wc/testing';
import { AMBIGUITY_RATIO, alternativeWeight, resolveAlternatives } from '../../src/voice/intent-resolver.js';
import { confirmation, nowPlayingReply, placePhrase } from '../../src/voice/voice-reply.js';
import { GROUPS, SPEAKERS, WORLD, describeResolution } from './voice-world.js';

describe('intent resolver', () => {
  it('scores all alternatives: a later alternative that names real music beats a first one that does not', () => {
    const resolution = resolveAlternatives(
      [
        { transcript: 'play dave matthews bland town stairs', confidence: 0.6 },
        { transcript: 'play dave matthews band downstairs', confidence: 0.55 },
      ],
      WORLD,
    );
    expect(describeResolution(resolution)).to.equal('play artist:Dave Matthews Band @g-down');
    expect(resolution.kind === 'command' && resolution.transcript).to.equal('play dave matthews band downstairs');
  });

  it('prefers the more confident alternative when both resolve', () => {
    const resolution = resolveAlternatives(
      [
        { transcript: 'pause in the kitchen', confidence: 0.9 },
        { transcript: 'pause in the den', confidence: 0.3 },
      ],
      WORLD,
    );
    expect(describeResolution(resolution)).to.equal('pause @kitchen');
  });

  it('asks back when two different places score close', () => {
    const resolution = resolveAlternatives(
      [
        { transcript: 'pause in the kitchen', confidence: 0.5 },
        { transcript: 'pause in the den', confidence: 0.49 },
      ],
      WORLD,
    );
    expect(resolution.kind).to.equal('reply');
    expect(resolution.kind === 'reply' && resolution.reply).to.equal('Did you mean Kitchen or Den?');
  });

  it('asks back when a query names two things equally well', () => {
    const resolution = resolveAlternatives([{ transcript: 'play blue', confidence: 0.9 }], WORLD);
    expect(resolution.kind === 'reply' && resolution.problem.kind).to.equal('ambiguous');
    expect(resolution.kind === 'reply' && resolution.reply).to.contain('Kind of Blue').and.contain('Blue in Green');
  });

  it('does not ask back when alternatives agree on the command', () => {
    const resolution = resolveAlternatives(
      [
        { transcript: 'pause in the den', confidence: 0.5 },
        { transcript: 'pause in the then', confidence: 0.5 },
      ],
      WORLD,
    );
    expect(describeResolution(resolution)).to.equal('pause @den');
  });

  it('weights alternatives by confidence, or by rank when the recognizer gave none', () => {
    expect(alternativeWeight({ transcript: '', confidence: 1 }, 0)).to.equal(1);
    expect(alternativeWeight({ transcript: '', confidence: 0 }, 0)).to.be.above(alternativeWeight({ transcript: '', confidence: 0 }, 2));
    expect(AMBIGUITY_RATIO).to.be.above(0.5).and.below(1);
  });

  it('replies helpfully for unknown commands, music and places', () => {
    const unknown = resolveAlternatives([{ transcript: 'order a pizza', confidence: 0.9 }], WORLD);
    expect(unknown.kind === 'reply' && unknown.reply).to.match(/didn't understand "order a pizza".*play Dave Matthews Band/);
    const missing = resolveAlternatives([{ transcript: 'tutti play jazz', confidence: 0.9 }], WORLD);
    expect(missing.kind === 'reply' && missing.reply).to.match(/couldn't find "jazz".*Dave Matthews Band/);
    const place = resolveAlternatives([{ transcript: 'pause in the garage', confidence: 0.9 }], WORLD);
    expect(place.kind === 'reply' && place.reply).to.match(/called "garage".*Kitchen/);
  });

  it('needs the wake word in hands-free mode', () => {
    expect(describeResolution(resolveAlternatives([{ transcript: 'pause', confidence: 0.9 }], WORLD, { requireWake: true }))).to.equal('reply:noWake');
    expect(describeResolution(resolveAlternatives([{ transcript: 'Tutti pause', confidence: 0.9 }], WORLD, { requireWake: true }))).to.equal('pause @office');
  });

  it('redefines an existing group named alike instead of making a new name', () => {
    const resolution = resolveAlternatives([{ transcript: 'group kitchen and den as down stairs', confidence: 0.9 }], WORLD);
    expect(describeResolution(resolution)).to.equal('group Downstairs: kitchen,den');
  });

  it('prefers a group over a speaker of the same name without asking', () => {
    const kitchenGroup = { kind: 'group' as const, id: 'g-kitchen', name: 'Kitchen', memberIds: ['kitchen'] };
    const world = { ...WORLD, targets: [...WORLD.targets, kitchenGroup] };
    expect(describeResolution(resolveAlternatives([{ transcript: 'pause the kitchen', confidence: 0.9 }], world))).to.equal('pause @g-kitchen');
  });
});

describe('voice replies', () => {
  it('says places naturally', () => {
    expect(placePhrase(GROUPS[0]!)).to.equal('downstairs');
    expect(placePhrase(SPEAKERS[0]!)).to.equal('in the Kitchen');
    expect(placePhrase(SPEAKERS[4]!)).to.equal('in the Living Room');
    expect(placePhrase({ kind: 'speaker', id: 'p', name: "Ana's Phone", memberIds: ['p'] })).to.equal("on Ana's Phone");
  });

  it('confirms commands in short sentences', () => {
    const resolution = resolveAlternatives([{ transcript: 'play dave matthews band downstairs', confidence: 0.9 }], WORLD);
    expect(resolution.kind === 'command' && confirmation(resolution.command)).to.equal('Playing Dave Matthews Band downstairs');
    expect(confirmation({ kind: 'transport', action: 'pause', target: SPEAKERS[0]! })).to.equal('Paused in the Kitchen');
    expect(confirmation({ kind: 'volume', change: { kind: 'set', level: 0.5 }, target: SPEAKERS[1]! }, { volume: 0.5 })).to.equal('Volume 50% in the Den');
    expect(nowPlayingReply(SPEAKERS[1]!, { status: 'playing', title: 'So What', artist: 'Miles Davis' })).to.equal('Now playing So What by Miles Davis in the Den');
    expect(nowPlayingReply(SPEAKERS[1]!, { status: 'stopped', title: null, artist: null })).to.equal('Nothing is playing in the Den');
  });
});
