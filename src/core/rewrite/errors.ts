import type { ErrorCode } from '../errorCodes.ts';
import { OresError } from '../errors.ts';
import type { RewriteAttempt } from './types.ts';

/**
 * The rewrite u -> u' failed; nothing must be handed on to the image generator.
 * Codes: 'rewrite-unsafe' (every attempt still carried a banned concept), 'rewrite-invalid-output'
 * (the model never returned a usable JSON caption), 'llm-engine-failed' (the engine itself threw),
 * 'fallback-unsafe' (the offline fallback could not remove the concept).
 */
export class RewriteError extends OresError {
  constructor(
    code: 'rewrite-unsafe' | 'rewrite-invalid-output' | 'llm-engine-failed' | 'fallback-unsafe',
    message: string,
    readonly attempts: readonly RewriteAttempt[],
    options?: { cause?: unknown },
  ) {
    super(code, message);
    this.name = 'RewriteError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Instruction learning could not go on (engine failure, unusable update, bad training set). */
export class InstructionLearningError extends OresError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message);
    this.name = 'InstructionLearningError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
