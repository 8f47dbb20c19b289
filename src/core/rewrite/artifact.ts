/**
 * The learned-instruction artifact: what instruction learning produces, what IndexedDB stores and
 * what a kiosk policy loads. JSON, validated with zod on the way in.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { MODEL_FAMILIES } from './instructions.ts';
import { canonicalTrainingSet, type TrainingSample } from './trainingSet.ts';

export const ARTIFACT_FORMAT = 'ores-instruction';
export const ARTIFACT_VERSION = 1;

const PackedResultSchema = z.object({
  concepts: z.array(z.string()),
  input: z.string(),
  groundTruths: z.array(z.string()),
  /** The model's answer with the instruction of that step; null when it gave no usable answer. */
  answer: z.string().nullable(),
  /** Why the answer was unusable, or which banned words it still had. */
  problem: z.string().optional(),
  leaked: z.array(z.string()).optional(),
});

const TraceStepSchema = z.object({
  epoch: z.number().int().min(1),
  batch: z.number().int().min(1),
  instructionBefore: z.string(),
  results: z.array(PackedResultSchema),
  instructionAfter: z.string(),
  /** True when the update reply was unusable and the instruction was kept. */
  kept: z.boolean(),
  updateProblem: z.string().optional(),
});

export const InstructionArtifactSchema = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  version: z.literal(ARTIFACT_VERSION),
  id: z.string().min(1),
  instruction: z.string().trim().min(1),
  modelId: z.string().min(1),
  modelFamily: z.enum(MODEL_FAMILIES as unknown as [string, ...string[]]),
  trainingSet: z.object({
    /** "sha256:<hex>" of canonicalTrainingSet(samples). */
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    size: z.number().int().min(1),
    source: z.string().optional(),
  }),
  task: z.string(),
  initialInstruction: z.string(),
  settings: z.object({
    epochs: z.number().int().min(1),
    batchSize: z.number().int().min(1),
    seed: z.number().int(),
    temperature: z.number().min(0),
    shuffle: z.boolean(),
    maxHistory: z.number().int().min(0),
  }),
  createdAt: z.string(),
  trace: z.array(TraceStepSchema),
  /** Things the learner had to work around (an unusable initial instruction, ...). */
  notes: z.array(z.string()).optional(),
});

export type InstructionArtifact = z.infer<typeof InstructionArtifactSchema>;
export type PackedResult = z.infer<typeof PackedResultSchema>;
export type TraceStep = z.infer<typeof TraceStepSchema>;

/** Hex SHA-256 with WebCrypto (browsers and Node 20). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** "sha256:<hex>" of a training set, independent of its file format. */
export async function hashTrainingSet(samples: readonly TrainingSample[]): Promise<string> {
  return `sha256:${await sha256Hex(canonicalTrainingSet(samples))}`;
}

/** Validates an artifact (the value or its JSON text); throws InvalidInputError naming the bad field. */
export function parseInstructionArtifact(input: unknown): InstructionArtifact {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new InvalidInputError('artifact-invalid', `The instruction file is not valid JSON (${(e as Error).message}).`);
    }
  }
  const r = InstructionArtifactSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    throw new InvalidInputError('artifact-invalid', `The instruction file is not a valid ${ARTIFACT_FORMAT} v${ARTIFACT_VERSION} artifact: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}.`);
  }
  return r.data;
}

export function serializeInstructionArtifact(artifact: InstructionArtifact): string {
  return JSON.stringify(InstructionArtifactSchema.parse(artifact), null, 2);
}

/** True when the artifact was learned on exactly these samples. */
export async function artifactMatchesTrainingSet(artifact: InstructionArtifact, samples: readonly TrainingSample[]): Promise<boolean> {
  return artifact.trainingSet.hash === (await hashTrainingSet(samples));
}
