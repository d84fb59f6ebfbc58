// A learner's progress through a lesson, kept in localStorage across reloads: which lab it
// runs on (so a reload or "continue" opens the same one), whether its setup has run there,
// and the steps passed.

const PREFIX = 'flannel-playground/lesson/';

export interface LessonProgress {
  labId: string;
  title: string;
  /** The lesson's setup has run on this lab (it runs once, before the learner arrives). */
  setupDone: boolean;
  /** Indexes of the steps passed. */
  passed: number[];
  steps: number;
}

function valid(x: unknown): x is LessonProgress {
  const p = x as LessonProgress;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.labId === 'string' &&
    typeof p.title === 'string' &&
    typeof p.setupDone === 'boolean' &&
    Array.isArray(p.passed) &&
    p.passed.every((n) => Number.isInteger(n)) &&
    Number.isInteger(p.steps)
  );
}

export function loadProgress(storage: Storage, id: string): LessonProgress | null {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(PREFIX + id) ?? 'null');
    return valid(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function saveProgress(storage: Storage, id: string, progress: LessonProgress): void {
  try {
    storage.setItem(PREFIX + id, JSON.stringify(progress));
  } catch {
    // Storage full or disabled: progress lives until the page closes.
  }
}

/** Every lesson with progress, in id order. */
export function allProgress(storage: Storage): { id: string; progress: LessonProgress }[] {
  const out: { id: string; progress: LessonProgress }[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (!key?.startsWith(PREFIX)) continue;
    const id = key.slice(PREFIX.length);
    const progress = loadProgress(storage, id);
    if (progress) out.push({ id, progress });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** "Reset lab" starts its lessons over: their progress on that lab goes with it. */
export function forgetLabProgress(storage: Storage, labId: string): void {
  for (const { id, progress } of allProgress(storage)) {
    if (progress.labId === labId) storage.removeItem(PREFIX + id);
  }
}
