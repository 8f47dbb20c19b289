/**
 * Ready-made lessons for the embedded model: each fills the policy and the prompt with a case
 * where deleting the banned word (BLACK LIST) fails and TIN does not, and says what to look at.
 */
export interface Lesson {
  readonly id: string;
  readonly title: string;
  readonly concepts: string;
  readonly prompt: string;
  /** What the class should notice. */
  readonly look: string;
}

export const LESSONS: readonly Lesson[] = [
  {
    id: 'synonym',
    title: 'A synonym the blacklist misses',
    concepts: 'red',
    prompt: 'a large crimson circle on a navy background',
    look: 'The prompt never says "red", so deleting the word changes nothing: BLACK LIST still draws a red circle. TIN’s rewrite knows crimson is red.',
  },
  {
    id: 'implied-colour',
    title: 'An implied colour',
    concepts: 'yellow',
    prompt: 'a banana-coloured square on a teal background',
    look: '"banana-coloured" implies yellow without naming it: there is no word to delete. TIN replaces the phrase with another colour.',
  },
  {
    id: 'background',
    title: 'A background',
    concepts: 'navy',
    prompt: 'a white triangle at night',
    look: '"at night" means a navy background here. A background is fixed in the first steps, so watch how late a switch at S can still change it.',
  },
];

/** The settings a lesson sets: the policy field and the prompt; everything else stays as typed. */
export function applyLesson<T extends { concepts: string; prompt: string }>(settings: T, lesson: Lesson): T {
  return { ...settings, concepts: lesson.concepts, prompt: lesson.prompt };
}
