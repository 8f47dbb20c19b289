/**
 * The compiled policy: an administrator's banned concepts resolved once into the one object that
 * the guard, both rewriters, the judges, the UI and the benchmark read. Nothing else maps a concept
 * to words or world values: the world value comes from src/core/world/resolve.ts, the word list
 * from the guard built here, the switch step from the concept's kind.
 */
import { createGuard, splitConcepts, type ConceptGuard, type GuardOptions } from '../guard/guard.ts';
import type { Lexicon } from '../guard/lexicon.ts';
import { phraseKey } from '../guard/normalize.ts';
import { InvalidInputError } from '../errors.ts';
import { switchStepFromFraction } from '../pipeline/schedule.ts';
import { resolveWorldConcept } from '../world/resolve.ts';
import { WORLD, type WorldValue, type WorldVocabulary } from '../world/vocabulary.ts';
import { conceptKind, type ConceptKind } from './conceptKind.ts';

export interface CompiledConcept {
  /** As the administrator wrote it. */
  readonly text: string;
  /** The embedded world's value it names, if any. */
  readonly world: WorldValue | null;
  readonly kind: ConceptKind;
  readonly kindReason: string;
  /** How many words and phrases the guard matches for it. */
  readonly termCount: number;
  /** A few of them beyond the concept itself, best route first. */
  readonly sample: readonly string[];
  /** True when it resolved to nothing beyond its own words and their forms: the guard is weak on it. */
  readonly flagged: boolean;
  /** True when its word list hit the guard's safety bound (a category as wide as "entity"). */
  readonly truncated: boolean;
}

export interface MaskChoice {
  readonly fits: boolean;
  /** Why, in words, for the result card and the policy view. */
  readonly reason: string;
}

export interface SwitchChoice {
  readonly step: number;
  /** Why this S, for the policy view and every result's trace. */
  readonly reason: string;
}

export interface CompiledPolicy {
  readonly concepts: readonly CompiledConcept[];
  readonly guard: ConceptGuard;
  /** Stable id of the concept list (for the audit log and caches). */
  readonly id: string;
  /** Whether the WordNet lexicon took part (without it recall drops sharply; the UI says so). */
  readonly lexicon: boolean;
  /** The world values the policy bans (for the world judge). */
  readonly worldValues: readonly WorldValue[];
  /** TIN's switch step for T steps: layout concepts switch at once, others at the default fraction. */
  switchStep(steps: number, defaultFraction: number): SwitchChoice;
  /**
   * Whether TIN + MASK can keep this policy: the mask keeps the user's picture wherever u and u'
   * agree, so it cannot take out a concept that is the whole layout (a background, a count, a size,
   * an outline). Such a policy runs as TIN with its switch step by concept.
   */
  maskChoice(): MaskChoice;
  /** What each concept covers, for the LLM's prompt: concept -> a sample of its words. */
  covers(max?: number): Record<string, string[]>;
}

export interface CompileOptions {
  readonly lexicon: Lexicon | null;
  /** Default: the embedded world; null leaves it out (a model that is not the embedded one still benefits from it). */
  readonly world?: WorldVocabulary | null;
  readonly guardOptions?: GuardOptions;
}

/** S for layout concepts: the rewrite conditions every step but the first, whose noise sets little. */
export const LAYOUT_SWITCH_STEP = 1;

/** FNV-1a over the normalised concept list: the same policy gets the same id everywhere. */
function policyId(concepts: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const ch of [...concepts].map(phraseKey).sort().join('\n')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `p-${h.toString(16).padStart(8, '0')}`;
}

/** Compiles a concept list (or the policy field's text). Throws InvalidInputError('no-concepts') when there is none. */
export function compilePolicy(concepts: readonly string[] | string, o: CompileOptions): CompiledPolicy {
  const list = (typeof concepts === 'string' ? splitConcepts(concepts) : concepts.map((c) => c.trim())).filter((c) => phraseKey(c).length > 0);
  if (list.length === 0) {
    throw new InvalidInputError('no-concepts', 'The policy names no concept with a letter or digit in it (a field of only commas or spaces bans nothing).');
  }
  const world = o.world === undefined ? WORLD : o.world;
  const guard = createGuard(list, o.lexicon, { ...o.guardOptions, world });
  const compiled = list.map((text): CompiledConcept => {
    const value = world ? (resolveWorldConcept(text, world)?.value ?? null) : null;
    const { kind, reason } = conceptKind(text, value, o.lexicon);
    const d = guard.describe(text);
    return { text, world: value, kind, kindReason: reason, termCount: d.termCount, sample: d.sample, flagged: value === null && d.literalOnly, truncated: d.truncated };
  });
  const worldValues = [...new Set(compiled.flatMap((c) => (c.world ? [c.world] : [])))];
  return {
    concepts: compiled,
    guard,
    id: policyId(list),
    lexicon: o.lexicon !== null,
    worldValues,
    switchStep(steps, defaultFraction) {
      const fallback = switchStepFromFraction(steps, defaultFraction);
      const layout = compiled.find((c) => c.kind === 'layout');
      if (layout && LAYOUT_SWITCH_STEP < fallback) {
        return { step: LAYOUT_SWITCH_STEP, reason: `S = ${LAYOUT_SWITCH_STEP}: "${layout.text}" is ${layout.kindReason}` };
      }
      return { step: fallback, reason: `S = ${fallback} (${Math.round(defaultFraction * 100)}% of ${steps}): the banned concepts are appearance or objects` };
    },
    maskChoice() {
      const layout = compiled.find((c) => c.kind === 'layout');
      return layout
        ? { fits: false, reason: `"${layout.text}" is ${layout.kindReason}: a mask would keep it, so TIN runs instead (the picture changes beyond the concept)` }
        : { fits: true, reason: 'the banned concepts are appearance or objects: the mask changes only where they are' };
    },
    covers(max = 12) {
      return Object.fromEntries(compiled.map((c) => [c.text, [...new Set(guard.terms(c.text).map((t) => t.term))].slice(0, max)]));
    },
  };
}
