// Opening a lesson on the page or in a widget: its text (lesson-source.ts), then the lab it
// asks for, on the lab id the learner's progress names (so "continue" finds the same lab).

import type { Lesson, ParsedLesson } from '../../engine/lesson/format.ts';
import type { LabConfig } from '../../engine/lab/params.ts';
import { loadLesson } from './lesson-source.ts';
import { loadProgress } from './progress.ts';

export function openLesson(ref: string): Promise<ParsedLesson> {
  return loadLesson(ref).catch((err: unknown) => ({
    ok: false as const,
    errors: [`lesson=${ref}: ${err instanceof Error ? err.message : String(err)}`],
  }));
}

/**
 * The lab a lesson runs on: the lesson's shape, the page's theme and readonly, and the lab id
 * of the learner's progress unless the URL named one.
 */
export function lessonLabConfig<C extends LabConfig & { labId: string }>(
  lesson: Lesson,
  current: C,
  opts: { labFromUrl: boolean },
): C {
  const progress = loadProgress(localStorage, lesson.id);
  const labId = !opts.labFromUrl && progress ? progress.labId : current.labId;
  return {
    ...current,
    ...lesson.lab,
    labId,
    theme: current.theme,
    readonly: current.readonly,
    etcd: current.etcd,
  };
}
