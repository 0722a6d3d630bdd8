import { expect } from '@open-wc/testing';
import { editDistance, editSimilarity, matchTokens, phoneticKey, phraseScore, rankByName, wordSimilarity } from '../../src/voice/fuzzy-match.js';
import { libraryIndex, matchLibrary } from '../../src/voice/library-match.js';
import { matchMembers, matchTarget } from '../../src/voice/target-match.js';
import { TRACKS, WORLD } from './voice-world.js';

describe('fuzzy matching primitives', () => {
  it('computes edit distance and similarity', () => {
    expect(editDistance('kitchen', 'kitchin')).to.equal(1);
    expect(editDistance('', 'abc')).to.equal(3);
    expect(editSimilarity('den', 'den')).to.equal(1);
    expect(editSimilarity('abc', 'xyz')).to.equal(0);
  });

  it('gives sound-alike words the same phonetic key', () => {
    expect(phoneticKey('then')).to.equal(phoneticKey('den'));
    expect(phoneticKey('kitchin')).to.equal(phoneticKey('kitchen'));
    expect(phoneticKey('aunts')).to.equal(phoneticKey('ants'));
    expect(phoneticKey('office')).to.not.equal(phoneticKey('kitchen'));
  });

  it('drops articles and plural s, folds diacritics', () => {
    expect(matchTokens('The Beatles')).to.deep.equal(['beatle']);
    expect(matchTokens('Beyoncé')).to.deep.equal(['beyonce']);
  });

  it('matches short words only exactly or by sound', () => {
    expect(wordSimilarity('and', 'band')).to.equal(0);
    expect(wordSimilarity('then', 'den')).to.be.at.least(0.8);
    expect(wordSimilarity('kitchin', 'kitchen')).to.be.at.least(0.8);
  });
});

describe('phrase scores', () => {
  it('tolerates split and joined words', () => {
    expect(phraseScore('down stairs', 'Downstairs')).to.equal(1);
    expect(phraseScore('downstair', 'Downstairs')).to.equal(1);
    expect(phraseScore('bed room', 'Bedroom')).to.equal(1);
  });

  it('tolerates plurals, articles and omitted words, but less than exact', () => {
    expect(phraseScore('daves matthews band', 'Dave Matthews Band')).to.equal(1);
    const partial = phraseScore('dave matthews', 'Dave Matthews Band');
    expect(partial).to.be.above(0.8).and.below(1);
  });

  it('scores unrelated names low', () => {
    expect(phraseScore('jazz', 'Daft Punk')).to.be.below(0.3);
    expect(phraseScore('garage', 'Kitchen')).to.be.below(0.5);
  });

  it('ranks names best first above a floor', () => {
    const ranked = rankByName('then', ['Kitchen', 'Den', 'Office'], (name) => name, 0.6);
    expect(ranked.map((r) => r.item)).to.deep.equal(['Den']);
  });
});

describe('matching places and music', () => {
  it('matches places tolerant to recognition errors', () => {
    expect(matchTarget({ kind: 'named', phrase: 'then' }, WORLD)[0]!.target.id).to.equal('den');
    expect(matchTarget({ kind: 'named', phrase: 'down stairs' }, WORLD)[0]!.target.id).to.equal('g-down');
    expect(matchTarget({ kind: 'named', phrase: 'kitchin speaker' }, WORLD)[0]!.target.id).to.equal('kitchen');
    expect(matchTarget({ kind: 'named', phrase: 'garage' }, WORLD)).to.deep.equal([]);
    expect(matchTarget({ kind: 'everywhere' }, WORLD)[0]!.target.kind).to.equal('everywhere');
    expect(matchTarget({ kind: 'default' }, WORLD)[0]!.target).to.equal(WORLD.defaultTarget);
  });

  it('splits member lists without separators into speakers', () => {
    const members = matchMembers(['kitchen den', 'office'], WORLD.targets);
    expect(members.ok && members.members.map((m) => m.id)).to.deep.equal(['kitchen', 'den', 'office']);
    expect(matchMembers(['living room'], WORLD.targets)).to.deep.include({ ok: true });
    expect(matchMembers(['garage'], WORLD.targets)).to.deep.equal({ ok: false, phrase: 'garage' });
  });

  it('plays an artist in album then title order, an album in library order, a title alone', () => {
    const artist = matchLibrary({ words: 'dave matthews band', field: 'any', byArtist: null }, libraryIndex(TRACKS))[0]!;
    expect(artist.match).to.equal('artist');
    expect(artist.trackIds).to.deep.equal(['dmb-crash', 'dmb-say', 'dmb-ants', 'dmb-sat']);
    const album = matchLibrary({ words: 'kind of blue', field: 'any', byArtist: null }, libraryIndex(TRACKS))[0]!;
    expect(album).to.deep.include({ match: 'album', label: 'Kind of Blue', trackIds: ['md-sowhat', 'md-big'] });
    const title = matchLibrary({ words: 'so what', field: 'any', byArtist: null }, libraryIndex(TRACKS))[0]!;
    expect(title).to.deep.include({ match: 'title', trackIds: ['md-sowhat'] });
    const anything = matchLibrary({ words: null, field: 'any', byArtist: null }, libraryIndex(TRACKS))[0]!;
    expect(anything.trackIds).to.deep.equal(TRACKS.map((t) => t.trackId));
  });

  it('restricts "X by Y" to that artist', () => {
    const choices = matchLibrary({ words: 'crash', field: 'any', byArtist: 'miles davis' }, libraryIndex(TRACKS));
    expect(choices).to.deep.equal([]);
  });
});

describe('library index', () => {
  it('is reused while the library content stays the same, even as a fresh array', () => {
    const first = libraryIndex(TRACKS);
    expect(libraryIndex([...TRACKS])).to.equal(first);
    expect(libraryIndex([...TRACKS, { trackId: 'x', title: 'Downtown', artist: 'Petula Clark', album: 'Hits', durationSec: 180 }])).to.not.equal(first);
  });

  it('still finds split, joined and sound-alike names among many tracks', () => {
    const filler = Array.from({ length: 1500 }, (_, i) => ({ trackId: `f${i}`, title: `Filler Song ${i}`, artist: `Band ${i % 40}`, album: `Record ${i % 90}`, durationSec: 100 }));
    const tracks = [...TRACKS, { trackId: 'dt', title: 'Downtown', artist: 'Petula Clark', album: 'Hits', durationSec: 180 }, ...filler];
    const index = libraryIndex(tracks);
    expect(matchLibrary({ words: 'down town', field: 'any', byArtist: null }, index)[0]).to.deep.include({ trackIds: ['dt'] });
    expect(matchLibrary({ words: 'beyond say', field: 'any', byArtist: null }, index)[0]).to.deep.include({ label: 'Beyoncé' });
    expect(matchLibrary({ words: 'aunts marching', field: 'any', byArtist: null }, index)[0]).to.deep.include({ trackIds: ['dmb-ants'] });
    expect(matchLibrary({ words: 'jazz', field: 'any', byArtist: null }, index)).to.deep.equal([]);
  });
});
