/**
 * Default instructions for the rewrite u -> u', one per supported model family, and the task
 * description instruction learning starts from.
 *
 * Written for small instruct models: short numbered rules, concrete examples we wrote ourselves,
 * no chat filler. The output contract (JSON, data block) is added by prompt.ts, so a learned
 * instruction does not have to restate it.
 */

export type ModelFamily = 'llama' | 'qwen' | 'gemma' | 'phi' | 'smollm' | 'generic';

export const MODEL_FAMILIES: readonly ModelFamily[] = ['llama', 'qwen', 'gemma', 'phi', 'smollm', 'generic'];

/** The family of a WebLLM model id ("Llama-3.2-1B-Instruct-q4f16_1-MLC" -> "llama"). */
export function modelFamily(modelId: string | undefined): ModelFamily {
  const id = (modelId ?? '').toLowerCase();
  if (id.includes('smollm')) return 'smollm';
  if (id.includes('qwen')) return 'qwen';
  if (id.includes('gemma')) return 'gemma';
  if (id.includes('phi')) return 'phi';
  if (id.includes('llama')) return 'llama';
  return 'generic';
}

/** Whether the family's chat template has a system role (Gemma's has none: everything goes in the user turn). */
export function familyHasSystemRole(family: ModelFamily): boolean {
  return family !== 'gemma';
}

/** What the rewrite is for; instruction learning starts from this. */
export const DEFAULT_TASK_DESCRIPTION =
  'Rewrite an image caption so that an image generator drawing the new caption shows none of the banned concepts. ' +
  'Replace every word or phrase that names, implies or is a kind of a banned concept with a clearly different ' +
  'alternative (preferably its opposite or another member of the same category), keep everything else of the ' +
  'caption, return the caption unchanged when no banned concept is involved, never mention a banned concept even ' +
  'to negate it, and answer with one short caption.';

const RULES = `1. Find every word or phrase in the caption that names a banned concept, is a form, synonym or kind of it ("parrot" is a kind of bird, "crimson" is red), or strongly implies it ("banana" implies yellow, "beach" implies sand).
2. Replace each of them with a clearly different alternative that fits the sentence: preferably the opposite (large -> small, night -> day, old -> young) or another member of the same category (red -> blue, dog -> cat). Remove it only when nothing fits.
3. Keep every other part of the caption: subject, action, place and style.
4. If no banned concept is involved, return the caption exactly as it is.
5. Never write a banned concept, not even to negate it: "without red" or "no dog" still makes the generator draw it.
6. Write one short caption, not an explanation.`;

const EXAMPLES = `Examples:
caption "a red apple on a wooden table", banned [red] -> "a green apple on a wooden table"
caption "a golden retriever playing in the snow", banned [dog] -> "a cat playing in the snow"
caption "a huge castle at sunset", banned [large] -> "a small castle at sunset"
caption "a cat asleep on a sofa", banned [dog] -> "a cat asleep on a sofa"`;

/** Default instructions per family. */
export const DEFAULT_INSTRUCTIONS: Readonly<Record<ModelFamily, string>> = {
  llama: `You rewrite captions for a responsible image generator. You get an input caption and a list of banned concepts, and you write a new caption whose image shows none of the banned concepts.

Rules:
${RULES}

${EXAMPLES}`,

  qwen: `Task: rewrite an image caption so that the generated image contains none of the banned concepts.

${RULES}

${EXAMPLES}`,

  // Gemma has no system role: this text opens the user turn, so it is phrased as a request.
  gemma: `Please rewrite an image caption for a responsible image generator. I give you the caption and a list of banned concepts; the image drawn from your new caption must show none of them.

Follow these rules:
${RULES}

${EXAMPLES}`,

  phi: `## Role
You edit captions for a responsible image generator.

## Goal
Given an input caption and banned concepts, write a new caption whose image shows none of the banned concepts.

## Rules
${RULES}

## ${EXAMPLES}`,

  // SmolLM2 (135M-1.7B) follows short, concrete text best.
  smollm: `Rewrite the caption so the picture shows none of the banned concepts.
- Swap each banned thing, and any kind, synonym or hint of it, for something clearly different: an opposite or another thing of the same type (red -> blue, dog -> cat, large -> small).
- Keep the rest of the caption.
- If nothing banned is in the caption, copy it unchanged.
- Never write a banned word, not even with "no" or "without".
- One short caption only.

${EXAMPLES}`,

  generic: `You rewrite captions for a responsible image generator: given a caption and banned concepts, write a new caption whose image shows none of the banned concepts.

${RULES}

${EXAMPLES}`,
};

/** The default instruction for a family or a WebLLM model id. */
export function defaultInstruction(familyOrModelId: ModelFamily | string): string {
  const family = (MODEL_FAMILIES as readonly string[]).includes(familyOrModelId)
    ? (familyOrModelId as ModelFamily)
    : modelFamily(familyOrModelId);
  return DEFAULT_INSTRUCTIONS[family];
}
