export type Phase = 'loading' | 'tokenizing' | 'encoding' | 'denoising' | 'decoding' | 'done';

export interface Progress {
  phase: Phase;
  /** 0..100 within the phase. */
  percent: number;
  step?: number;
  totalSteps?: number;
  bytesLoaded?: number;
  bytesTotal?: number;
  message?: string;
}
