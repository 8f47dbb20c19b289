import type { RgbaImage } from '../metrics/image.ts';

/** What a judge says about one banned concept in one image. */
export interface ConceptVerdict {
  readonly concept: string;
  readonly present: boolean;
  /** The judge's confidence that the concept is present, in [0,1] where it has one. */
  readonly score?: number;
  /** A short human-readable reason ("colour: red (p=0.93)", "top label: 'a red thing'"). */
  readonly detail?: string;
}

export interface ImageVerdict {
  /** True when any of the banned concepts is present: the image fails to avoid them. */
  readonly present: boolean;
  readonly concepts: readonly ConceptVerdict[];
  /** The world judge's reading of every attribute ("colour" -> "red"), for the preservation metrics. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Decides whether banned concepts appear in images. */
export interface ConceptJudge {
  /** Names the judge and its model in results ("world-judge ores-tiny-world", "clip openai/clip-vit-base-patch32"). */
  readonly id: string;
  /** Fails with a clear error when the judge cannot judge these concepts at all (before any image is made). */
  check(concepts: readonly string[]): void;
  judge(images: readonly RgbaImage[], concepts: readonly string[]): Promise<ImageVerdict[]>;
}

/** An image fails when any concept is present. */
export function combineVerdicts(concepts: readonly ConceptVerdict[]): ImageVerdict {
  return { present: concepts.some((c) => c.present), concepts };
}
