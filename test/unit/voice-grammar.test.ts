import { expect } from '@open-wc/testing';
import { parseUtterance } from '../../src/voice/command-grammar.js';
import { resolveAlternatives } from '../../src/voice/intent-resolver.js';
import { splitTarget, parseTargetTail } from '../../src/voice/target-phrase.js';
import { normalizeText, normalizeUtterance } from '../../src/voice/utterance-normalize.js';
import { applyVolumeChange, volumeLevelFromNumber } from '../../src/voice/voice-intent.js';
import { VOICE_CORPUS } from './voice-corpus.js';
import { WORLD, describeResolution } from './voice-world.js';

describe('voice grammar corpus', () => {
  it('has at least 150 utterances, each unique', () => {
    expect(VOICE_CORPUS.length).to.be.at.least(150);
    expect(new Set(VOICE_CORPUS.map((entry) => entry.say)).size).to.equal(VOICE_CORPUS.length);
  });

  it('maps every corpus utterance to its expected command (accuracy logged)', () => {
    const failures: string[] = [];
    for (const entry of VOICE_CORPUS) {
      const got = describeResolution(resolveAlternatives([{ transcript: entry.say, confidence: 0.9 }], WORLD));
      if (got !== entry.expect) failures.push(`"${entry.say}": expected ${entry.expect}, got ${got}`);
    }
    const accuracy = (VOICE_CORPUS.length - failures.length) / VOICE_CORPUS.length;
    console.log(`voice grammar accuracy: ${VOICE_CORPUS.length - failures.length}/${VOICE_CORPUS.length} = ${(accuracy * 100).toFixed(1)}%`);
    expect(failures).to.deep.equal([]);
  });

  it('covers every intent kind and several problem replies', () => {
    const kinds = new Set(VOICE_CORPUS.map((entry) => entry.expect.split(/[ :]/)[0]));
    for (const kind of ['play', 'pause', 'stop', 'resume', 'next', 'previous', 'volume', 'mute', 'unmute', 'group', 'nowplaying', 'help', 'reply']) {
      expect(kinds.has(kind), kind).to.equal(true);
    }
  });
});

describe('utterance normalization', () => {
  it('folds case, diacritics and punctuation and turns number words into digits', () => {
    expect(normalizeText('Beyoncé & Jay-Z!')).to.equal('beyonce and jay z');
    expect(normalizeText('set the volume to twenty five')).to.equal('set the volume to 25');
    expect(normalizeText('a hundred percent')).to.equal('100 percent');
    expect(normalizeText('50%')).to.equal('50 percent');
    expect(normalizeText("What's playing?")).to.equal('whats playing');
  });

  it('strips the wake word and filler, and says whether the wake word was there', () => {
    expect(normalizeUtterance('Tutti, play Daft Punk please')).to.deep.include({ text: 'play daft punk', woke: true });
    expect(normalizeUtterance('hey tutti can you pause')).to.deep.include({ text: 'pause', woke: true });
    expect(normalizeUtterance('could you please skip this')).to.deep.include({ text: 'skip this', woke: false });
  });
});

describe('target phrases', () => {
  it('reads where-clauses', () => {
    expect(parseTargetTail('in the kitchen'.split(' '))).to.deep.equal({ kind: 'named', phrase: 'kitchen' });
    expect(parseTargetTail('in all the rooms'.split(' '))).to.deep.equal({ kind: 'everywhere' });
    expect(parseTargetTail('throughout the whole house'.split(' '))).to.deep.equal({ kind: 'everywhere' });
    expect(parseTargetTail('here'.split(' '))).to.deep.equal({ kind: 'default' });
    expect(parseTargetTail([])).to.deep.equal({ kind: 'default' });
  });

  it('splits a body from a place at prepositions and as a bare suffix, never leaving a dangling word', () => {
    const splits = splitTarget('daft punk in the den'.split(' '));
    expect(splits.map((split) => `${split.body.join(' ')}|${split.target.kind === 'named' ? split.target.phrase : split.target.kind}`)).to.include.members([
      'daft punk in the den|default',
      'daft punk|den',
    ]);
    expect(splitTarget('x in the kitchen and den'.split(' ')).some((split) => split.body[split.body.length - 1] === 'and')).to.equal(false);
  });
});

describe('command grammar readings', () => {
  it('reads play with a place, "X by Y" and field words', () => {
    const readings = parseUtterance('play so what by miles davis in the kitchen').map((reading) => reading.intent);
    expect(readings).to.deep.include({ kind: 'play', query: { words: 'so what', field: 'any', byArtist: 'miles davis' }, target: { kind: 'named', phrase: 'kitchen' } });
    expect(parseUtterance('play the album crash')[0]!.intent).to.satisfy((intent: { kind: string }) => intent.kind === 'play');
    expect(parseUtterance('play the album crash').map((reading) => reading.intent)).to.deep.include({
      kind: 'play',
      query: { words: 'crash', field: 'album', byArtist: null },
      target: { kind: 'default' },
    });
  });

  it('scores a misheard verb lower than a clean one', () => {
    const clean = parseUtterance('pause')[0]!;
    const misheard = parseUtterance('paws')[0]!;
    expect(misheard.intent).to.deep.equal(clean.intent);
    expect(misheard.score).to.be.below(clean.score);
  });

  it('reads group commands in several wordings', () => {
    for (const say of ['group kitchen and den as downstairs', 'make a group called downstairs with kitchen and den', 'put kitchen and den in a group called downstairs']) {
      expect(parseUtterance(say).map((reading) => reading.intent), say).to.deep.include({ kind: 'group', name: 'downstairs', memberPhrases: ['kitchen', 'den'] });
    }
  });

  it('has no reading for unrelated talk', () => {
    expect(parseUtterance('how is the weather today')).to.deep.equal([]);
  });
});

describe('volume arithmetic', () => {
  it('maps spoken numbers: N ≤ 10 on a 0..10 scale, larger N and "percent" as percent, clamped', () => {
    expect(volumeLevelFromNumber(5, false)).to.equal(0.5);
    expect(volumeLevelFromNumber(10, false)).to.equal(1);
    expect(volumeLevelFromNumber(30, false)).to.equal(0.3);
    expect(volumeLevelFromNumber(5, true)).to.equal(0.05);
    expect(volumeLevelFromNumber(250, false)).to.equal(1);
  });

  it('steps and sets within 0..1', () => {
    expect(applyVolumeChange(0.5, { kind: 'step', delta: 0.1 })).to.equal(0.6);
    expect(applyVolumeChange(0.95, { kind: 'step', delta: 0.1 })).to.equal(1);
    expect(applyVolumeChange(0.05, { kind: 'step', delta: -0.1 })).to.equal(0);
    expect(applyVolumeChange(0.2, { kind: 'set', level: 0.7 })).to.equal(0.7);
  });
});
