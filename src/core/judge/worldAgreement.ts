/**
 * What a world judge decided, per attribute, and how two judges compare: accuracy against known
 * scenes and agreement with each other. A benchmark that measures images one judge verified
 * needs a second judge, and these numbers say how far the second one can stand in for the first.
 */
import { InvalidInputError } from '../errors.ts';
import { ATTRIBUTES, valueNames, type Attribute } from '../world/vocabulary.ts';
import type { WorldPrediction } from './worldJudge.ts';

/** The value each attribute head picks (its most likely class), by name. */
export function judgedValues(p: WorldPrediction): Record<Attribute, string> {
  const out = {} as Record<Attribute, string>;
  for (const a of ATTRIBUTES) {
    const probs = p[a];
    let best = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
    out[a] = valueNames(a)[best]!;
  }
  return out;
}

function sameLength(what: string, a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length || a.length === 0) {
    throw new InvalidInputError('judge-comparison-invalid', `Cannot compare ${what}: ${a.length} against ${b.length} images (need the same non-zero number).`);
  }
}

/** Per attribute, the share of images on which both judges pick the same value. */
export function agreementByAttribute(a: readonly WorldPrediction[], b: readonly WorldPrediction[]): Record<Attribute, number> {
  sameLength('two judges', a, b);
  const va = a.map(judgedValues);
  const vb = b.map(judgedValues);
  return Object.fromEntries(ATTRIBUTES.map((attr) => [attr, va.filter((v, i) => v[attr] === vb[i]![attr]).length / a.length])) as Record<Attribute, number>;
}

/** Per attribute asked for, the share of images whose judged value is the scene's. */
export function accuracyByAttribute(
  predictions: readonly WorldPrediction[],
  scenes: readonly Partial<Record<Attribute, string>>[],
  attributes: readonly Attribute[] = ATTRIBUTES,
): Partial<Record<Attribute, number>> {
  sameLength('a judge with its scenes', predictions, scenes);
  const missing = attributes.find((a) => scenes.some((s) => s[a] === undefined));
  if (missing) throw new InvalidInputError('judge-comparison-invalid', `Cannot score "${missing}": some scenes do not say what it is.`);
  const judged = predictions.map(judgedValues);
  return Object.fromEntries(attributes.map((a) => [a, judged.filter((v, i) => v[a] === scenes[i]![a]).length / scenes.length]));
}
