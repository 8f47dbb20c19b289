import type { ErrorCode } from './errorCodes.ts';

/** Errors a user can cause or meet; `code` is stable (src/core/errorCodes.ts) so the UI and CLI can react to it. */
export class OresError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OresError';
  }
}

/** Any thrown value as an OresError: an OresError stays itself, anything else gets `code` and keeps its message. */
export function asOresError(e: unknown, code: ErrorCode, prefix = ''): OresError {
  return e instanceof OresError ? e : new OresError(code, prefix + (e instanceof Error ? e.message : String(e)));
}

/** Input the caller gave is wrong (empty prompt, bad step count, malformed file...). */
export class InvalidInputError extends OresError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'InvalidInputError';
  }
}

/** The machine cannot do what was asked (no WebGPU, no shader-f16, buffers too small...). */
export class CapabilityError extends OresError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'CapabilityError';
  }
}

/** A model or data file is missing, unreachable or corrupt. */
export class ModelLoadError extends OresError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'ModelLoadError';
  }
}

/** The operation was cancelled by its AbortSignal. */
export class CancelledError extends OresError {
  constructor(message = 'Cancelled') {
    super('cancelled', message);
    this.name = 'CancelledError';
  }
}
