// Where a lesson's text comes from: the lessons shipped in the repo (lessons/<id>/lesson.md,
// bundled as lazy chunks), a Markdown file of the same origin, or text inline in the widget.

import { LESSON_ID, parseLesson, type ParsedLesson } from '../../engine/lesson/format.ts';

const SHIPPED = import.meta.glob<string>('../../../lessons/*/lesson.md', {
  query: '?raw',
  import: 'default',
});

/** The ids of the lessons shipped with the playground, sorted. */
export const SHIPPED_LESSONS: string[] = Object.keys(SHIPPED)
  .map((path) => path.split('/').at(-2)!)
  .sort();

/** `ref` is a shipped lesson's id or a same-origin URL of a lesson.md. */
export async function loadLesson(ref: string, base = location.href): Promise<ParsedLesson> {
  if (LESSON_ID.test(ref)) {
    const load = SHIPPED[`../../../lessons/${ref}/lesson.md`];
    if (!load)
      return {
        ok: false,
        errors: [`no lesson "${ref}" (the lessons are ${SHIPPED_LESSONS.join(', ')})`],
      };
    return parseLesson(ref, await load());
  }
  let url: URL;
  try {
    url = new URL(ref, base);
  } catch {
    return { ok: false, errors: [`lesson=${ref}: neither a lesson id nor a URL`] };
  }
  if (url.origin !== new URL(base).origin) {
    return {
      ok: false,
      errors: [`lesson=${ref}: a lesson is loaded from this site only (${new URL(base).origin})`],
    };
  }
  let text: string;
  try {
    const res = await fetch(url);
    if (!res.ok) return { ok: false, errors: [`lesson=${ref}: ${res.status} ${res.statusText}`] };
    text = await res.text();
  } catch (err) {
    return {
      ok: false,
      errors: [`lesson=${ref}: ${err instanceof Error ? err.message : String(err)}`],
    };
  }
  return parseLesson(urlLessonId(url), text);
}

/** A lesson fetched from a URL is named after its folder (…/my-lesson/lesson.md) or file. */
export function urlLessonId(url: URL): string {
  const parts = url.pathname.split('/').filter(Boolean);
  const file = parts.at(-1) ?? 'lesson';
  const name = file === 'lesson.md' && parts.length > 1 ? parts.at(-2)! : file.replace(/\.md$/, '');
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 48);
  return LESSON_ID.test(id) ? id : 'lesson';
}
