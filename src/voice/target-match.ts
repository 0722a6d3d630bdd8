/**
 * Matches spoken places against the room's targets ("down stairs" → Downstairs, "then" → Den),
 * and splits a spoken member list ("kitchen den and office") into speakers. Pure: no browser
 * globals.
 */
import type { ControlTarget } from '../features/room-control.js';
import { NameScorer, matchTokens, prepareName, prepareTokens } from './fuzzy-match.js';
import type { TargetPhrase } from './voice-intent.js';

/** Below this, a phrase does not name a target. */
export const TARGET_MIN_SCORE = 0.6;
/** Longest target name tried when splitting a member list, in words. */
const MAX_NAME_WORDS = 3;
/** Words that may trail a place name without being part of it ("the kitchen speaker"). */
const TRAILING_KIND_WORDS = new Set(['speaker', 'group', 'zone', 'tab', 'device', 'area']);

/** The room's places and where unplaced commands go. */
export interface TargetWorld {
  readonly targets: readonly ControlTarget[];
  readonly defaultTarget: ControlTarget;
}

/** A target with how well the phrase names it (0..1). */
export interface TargetChoice {
  readonly target: ControlTarget;
  readonly score: number;
}

/** The 'everywhere' target: the room's own, or one made from every speaker. */
export function everywhereTarget(targets: readonly ControlTarget[]): ControlTarget {
  return (
    targets.find((target) => target.kind === 'everywhere') ?? {
      kind: 'everywhere',
      id: 'everywhere',
      name: 'everywhere',
      memberIds: targets.filter((target) => target.kind === 'speaker').map((target) => target.id),
    }
  );
}

function rankTargets(tokens: readonly string[], targets: readonly ControlTarget[], scorer: NameScorer): TargetChoice[] {
  const bare = prepareTokens(tokens.length > 1 && TRAILING_KIND_WORDS.has(tokens[tokens.length - 1]!) ? tokens.slice(0, -1) : tokens);
  return targets
    .filter((target) => target.kind !== 'everywhere')
    .map((target) => ({ target, score: scorer.score(bare, prepareName(target.name)) + (target.kind === 'group' ? 0.001 : 0) }))
    .filter((choice) => choice.score >= TARGET_MIN_SCORE)
    .sort((a, b) => b.score - a.score);
}

/** Targets a place phrase may mean, best first (at most `limit`); empty when it names none. */
export function matchTarget(phrase: TargetPhrase, world: TargetWorld, scorer: NameScorer = new NameScorer(), limit = 3): TargetChoice[] {
  if (phrase.kind === 'default') return [{ target: world.defaultTarget, score: 1 }];
  if (phrase.kind === 'everywhere') return [{ target: everywhereTarget(world.targets), score: 1 }];
  return rankTargets(matchTokens(phrase.phrase), world.targets, scorer).slice(0, limit);
}

/** Speakers (or groups) named by a member list, with the weakest match's score; or the phrase that named nothing. */
export type MembersMatch =
  | { readonly ok: true; readonly members: readonly ControlTarget[]; readonly score: number }
  | { readonly ok: false; readonly phrase: string };

/** Best split of one phrase's words into consecutive target names (dynamic programming over word spans). */
function splitNames(tokens: readonly string[], targets: readonly ControlTarget[], scorer: NameScorer): TargetChoice[] | null {
  const best: ({ score: number; choices: TargetChoice[] } | null)[] = [{ score: 0, choices: [] }];
  for (let end = 1; end <= tokens.length; end++) {
    best.push(null);
    for (let start = Math.max(0, end - MAX_NAME_WORDS); start < end; start++) {
      const before = best[start];
      const top = rankTargets(tokens.slice(start, end), targets, scorer)[0];
      if (before === null || before === undefined || top === undefined) continue;
      const score = before.score + top.score * (end - start);
      if (best[end] === null || score > best[end]!.score) best[end] = { score, choices: [...before.choices, top] };
    }
  }
  return best[tokens.length]?.choices ?? null;
}

/** Resolves "kitchen", "den and office" … to speakers, preferring speakers over groups of the same name. */
export function matchMembers(phrases: readonly string[], targets: readonly ControlTarget[], scorer: NameScorer = new NameScorer()): MembersMatch {
  const speakers = targets.filter((target) => target.kind === 'speaker');
  const groups = targets.filter((target) => target.kind === 'group');
  const members: ControlTarget[] = [];
  let weakest = 1;
  for (const phrase of phrases) {
    const tokens = matchTokens(phrase);
    const choices = splitNames(tokens, speakers, scorer) ?? splitNames(tokens, groups, scorer);
    if (choices === null || choices.length === 0) return { ok: false, phrase };
    for (const choice of choices) {
      weakest = Math.min(weakest, choice.score);
      if (!members.some((member) => member.id === choice.target.id && member.kind === choice.target.kind)) members.push(choice.target);
    }
  }
  return members.length === 0 ? { ok: false, phrase: phrases.join(' ') } : { ok: true, members, score: Math.min(1, weakest) };
}
