// Every shipped lesson (lessons/<id>/lesson.md), on a lab of real kernels: it parses, its setup
// runs, and each step's check fails before the step's Run blocks and passes after them.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLesson, type Lesson } from '../../src/engine/lesson/format.ts';
import {
  beginStep,
  checkStep,
  endStep,
  runAction,
  runSetup,
} from '../../src/engine/lesson/grade.ts';
import { plainText } from '../../src/engine/lesson/markdown.ts';
import { bootLessonLab } from '../../src/engine/lesson/testing/local-lesson-lab.ts';
import { kernelModule } from '../../src/engine/testing/kernel.ts';

const DIR = new URL('../../lessons/', import.meta.url);
const IDS = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function load(id: string): Lesson {
  const parsed = parseLesson(id, readFileSync(new URL(`${id}/lesson.md`, DIR), 'utf8'));
  if (!parsed.ok) throw new Error(`${id}:\n${parsed.errors.join('\n')}`);
  return parsed.lesson;
}

describe('shipped lessons', () => {
  it('are there, and each parses', () => {
    expect(IDS.length).toBeGreaterThanOrEqual(1);
    for (const id of IDS) expect(load(id).steps.length).toBeGreaterThan(0);
  });

  for (const id of IDS) {
    it(`${id}: each check fails before its step and passes after`, async () => {
      const lesson = load(id);
      const lab = await bootLessonLab(await kernelModule(), lesson.lab);
      expect(await runSetup(lab, lesson)).toEqual([]);
      for (const [k, step] of lesson.steps.entries()) {
        const name = `step ${k + 1} (${plainText(step.title)})`;
        const watch = await beginStep(lab, step);
        const before = await checkStep(lab, step, watch);
        expect(before.passed, `${name} passed before its commands ran`).toBe(false);
        for (const action of step.actions) await runAction(lab, action);
        const after = await checkStep(lab, step, watch);
        expect(after.failures, `${name} after its commands:\n${lab.typed.join('\n')}`).toEqual([]);
        await endStep(lab, watch);
      }
    }, 120_000);
  }
});
