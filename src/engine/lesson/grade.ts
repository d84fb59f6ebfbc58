// Running a lesson against a lab: its setup, a step's Run blocks and its Check. Checks grade
// from the lab's state (a script's exit status on a host, frames seen by a capture tap), never
// from what a terminal printed. The page drives real workers through this interface; Node
// tests drive a LocalLab (lesson/testing/).

import type { HostFacts, ScriptResult, WatchTarget } from '../lab/lesson-probe.ts';
import {
  fillPlaceholders,
  type FrameExpectation,
  type Lesson,
  type LessonAction,
  type LessonStep,
} from './format.ts';

export interface LessonLab {
  /** Runs a script in a fresh bash on `host`, unseen. */
  script(host: string, text: string): Promise<ScriptResult>;
  /** Types a line into `host`'s terminal (or runs it there unseen) and waits for it. */
  type(host: string, line: string): Promise<void>;
  advance(ms: number): Promise<void>;
  watch(host: string, target: WatchTarget): Promise<number>;
  seen(host: string, id: number): Promise<number>;
  unwatch(host: string, id: number): Promise<void>;
  facts(host: string): Promise<HostFacts>;
}

export interface CheckResult {
  passed: boolean;
  /** What failed, one line each ('node1: check exited 1', 'no frame matching icmp on eth0'). */
  failures: string[];
}

/** What `{{host.name}}` stands for, given the host's facts; the placeholder itself while unknown. */
export function factValue(facts: HostFacts | undefined, host: string, name: string): string {
  const value =
    name === 'eth0'
      ? facts?.eth0
      : name === 'subnet'
        ? facts?.subnet
        : name === 'lease'
          ? facts?.lease
          : facts?.pods[name];
  // A fact the lab does not have yet (no lease) stays visible as what it asked for.
  return value ?? `{{${host}.${name}}}`;
}

/** The lab's addresses for placeholders, fetched once per call. */
export async function factsFor(
  lab: LessonLab,
  texts: string[],
): Promise<(host: string, name: string) => string> {
  const hosts = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(/\{\{\s*([a-z0-9-]+)\./g)) hosts.add(m[1]);
  const facts = new Map<string, HostFacts>();
  for (const h of hosts) facts.set(h, await lab.facts(h));
  return (host, name) => factValue(facts.get(host), host, name);
}

/** The lines an action types, placeholders filled. */
export async function actionLines(
  lab: LessonLab,
  action: LessonAction & { kind: 'shell' },
): Promise<string[]> {
  const fill = await factsFor(lab, [action.text]);
  return fillPlaceholders(action.text, fill)
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** What a Run button does. */
export async function runAction(lab: LessonLab, action: LessonAction): Promise<void> {
  if (action.kind === 'advance') return lab.advance(action.ms);
  for (const line of await actionLines(lab, action)) await lab.type(action.host, line);
}

/** Runs the lesson's setup scripts (unseen), before the learner arrives. */
export async function runSetup(lab: LessonLab, lesson: Lesson): Promise<string[]> {
  const problems: string[] = [];
  for (const s of lesson.setup) {
    const fill = await factsFor(lab, [s.text]);
    const r = await lab.script(s.host, fillPlaceholders(s.text, fill));
    if (r.status !== 0) problems.push(`setup on ${s.host} exited ${r.status}: ${r.output.trim()}`);
  }
  return problems;
}

/** The capture taps of a step that has begun: frames are counted from here on. */
export interface StepWatch {
  expectations: FrameExpectation[];
  ids: (number | string)[];
}

/** A step begins: its frame expectations start counting (a missing interface is a failure later). */
export async function beginStep(lab: LessonLab, step: LessonStep): Promise<StepWatch> {
  const ids: (number | string)[] = [];
  for (const f of step.frames) {
    try {
      ids.push(await lab.watch(f.host, { netns: f.netns, ifname: f.ifname, filter: f.filter }));
    } catch (err) {
      ids.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { expectations: step.frames, ids };
}

export async function endStep(lab: LessonLab, watch: StepWatch): Promise<void> {
  for (let k = 0; k < watch.ids.length; k++) {
    const id = watch.ids[k];
    if (typeof id === 'number') await lab.unwatch(watch.expectations[k].host, id);
  }
}

function where(f: FrameExpectation): string {
  return `${f.host} ${f.netns ? `${f.netns}/` : ''}${f.ifname}`;
}

/** What the Check button does: every check script exits 0 and every expected frame was seen. */
export async function checkStep(
  lab: LessonLab,
  step: LessonStep,
  watch: StepWatch | null,
): Promise<CheckResult> {
  const failures: string[] = [];
  const fill = await factsFor(
    lab,
    step.checks.map((c) => c.script),
  );
  for (const c of step.checks) {
    const r = await lab.script(c.host, fillPlaceholders(c.script, fill));
    if (r.status !== 0) {
      const said = r.output.trim().split('\n').slice(-2).join(' / ');
      failures.push(`${c.host}: \`${c.script}\` exited ${r.status}${said ? `: ${said}` : ''}`);
    }
  }
  for (let k = 0; k < step.frames.length; k++) {
    const f = step.frames[k];
    const id = watch?.ids[k];
    const shape = f.filter ? `matching "${f.filter}"` : 'at all';
    if (typeof id === 'string') failures.push(`${where(f)}: ${id}`);
    else if (id === undefined || (await lab.seen(f.host, id)) === 0) {
      failures.push(`no frame ${shape} has crossed ${where(f)} since the step began`);
    }
  }
  return { passed: failures.length === 0, failures };
}
