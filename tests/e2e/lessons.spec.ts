// Every shipped lesson, completed through the lesson panel as a learner does it: each step's
// Run buttons in order, then Check until it passes. Plus the panel's contract: a bad lesson
// is a clear notice, progress survives a reload and shows on the landing.

import { readdirSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { watch } from './helpers.ts';

const LESSONS = readdirSync(new URL('../../lessons/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

async function openLesson(page: Page, query: string): Promise<void> {
  await page.goto(`/?${query}`);
  await expect(page.getByTestId('lesson')).toHaveAttribute('data-phase', 'ready', {
    timeout: 60_000,
  });
}

/** The panel's buttons stay focusable while it works: they say so with aria-disabled. */
async function idle(button: Locator): Promise<void> {
  await expect(button).toBeEnabled({ timeout: 60_000 });
  await expect(button).toHaveAttribute('aria-disabled', 'false', { timeout: 60_000 });
}

/** Checks (it fails), runs the step's blocks in order, then checks until it passes. */
async function completeStep(page: Page, k: number): Promise<void> {
  const step = page.getByTestId('lesson-step').nth(k);
  const runs = step.getByTestId('lesson-run');
  const check = step.getByTestId('lesson-check');
  // Before its commands, the step's check fails (lessons.test.ts proves it for every check).
  await idle(check);
  await check.click();
  await expect(step).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
  for (let r = 0; r < (await runs.count()); r++) {
    await idle(runs.nth(r));
    await runs.nth(r).click();
  }
  await idle(check);
  // A learner presses Check again when the lab needs a moment (a watch event, a restart).
  await expect
    .poll(
      async () => {
        await idle(check);
        await check.click();
        await idle(check);
        return step.getAttribute('data-state');
      },
      { timeout: 45_000, intervals: [500, 1000, 2000] },
    )
    .toBe('passed');
}

for (const id of LESSONS) {
  test(`lesson ${id}: completed step by step through the panel`, async ({ page }) => {
    test.setTimeout(240_000);
    const problems = watch(page);
    await openLesson(page, `lesson=${id}`);
    const steps = page.getByTestId('lesson-step');
    const count = await steps.count();
    expect(count).toBeGreaterThan(0);
    for (let k = 0; k < count; k++) {
      await expect(steps.nth(k)).toHaveAttribute('data-state', 'todo');
      await completeStep(page, k);
    }
    await expect(page.getByTestId('lesson-done')).toBeVisible();
    expect(problems).toEqual([]);
  });
}

test('a first Check fails, Run types into the host terminal, progress survives a reload and shows on the landing', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openLesson(page, 'lesson=example');
  const step = page.getByTestId('lesson-step').first();
  await step.getByTestId('lesson-check').click();
  await expect(step).toHaveAttribute('data-state', 'failed');
  await expect(step).toContainText('Not yet');
  // Hints come one at a time.
  await step.getByTestId('lesson-hint').click();
  await expect(step.getByRole('list', { name: 'Hints' }).locator('li')).toHaveCount(1);
  await idle(step.getByTestId('lesson-check'));
  await step.getByTestId('lesson-run').click();
  const term = page.locator('[data-testid="terminal"][data-host="node1"] .xterm-rows');
  await expect(term).toContainText('ip netns exec pod1 ping -c 2 10.244.', { timeout: 30_000 });
  await expect(term).toContainText('2 received', { timeout: 30_000 });
  await idle(step.getByTestId('lesson-check'));
  await step.getByTestId('lesson-check').click();
  await expect(step).toHaveAttribute('data-state', 'passed');
  expect(page.url()).toContain('lesson=example');
  await page.reload();
  await expect(page.getByTestId('lesson-step').first()).toHaveAttribute('data-state', 'passed', {
    timeout: 30_000,
  });
  await page.goto('/');
  const cont = page.locator('[data-testid="lesson-continue"][data-lesson="example"]');
  await expect(cont).toContainText('Continue');
  await expect(page.getByText('1 of 1 steps passed')).toBeVisible();
  // Continue opens the same lab, the step still passed; Reset lab starts the lesson over.
  await cont.click();
  const first = page.getByTestId('lesson-step').first();
  await expect(first).toHaveAttribute('data-state', 'passed', { timeout: 30_000 });
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('reset-lab').click();
  await expect(page.getByTestId('lesson')).toHaveAttribute('data-phase', 'ready', {
    timeout: 60_000,
  });
  await expect(first).toHaveAttribute('data-state', 'todo');
});

test('a lesson that does not exist is a clear notice, and the lab still opens', async ({
  page,
}) => {
  await page.goto('/?lesson=no-such-lesson');
  await expect(page.getByTestId('params-error')).toContainText('no lesson "no-such-lesson"');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 60_000 });
});

test('a lesson from another origin is refused', async ({ page }) => {
  await page.goto('/?lesson=' + encodeURIComponent('https://example.org/x/lesson.md'));
  await expect(page.getByTestId('params-error')).toContainText('loaded from this site only');
});

test('a widget opens a shipped lesson by id, and one written inline', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watch(page);
  await page.goto('/embed.html');
  await page.evaluate(() => {
    const inline = document.createElement('flannel-playground');
    inline.id = 'inline-lesson';
    inline.setAttribute('start', 'eager');
    const md = document.createElement('script');
    md.type = 'text/markdown';
    md.dataset.lesson = 'my-inline';
    md.textContent = [
      '---',
      'title: Inline',
      'lab: nodes=1&backend=host-gw',
      '---',
      '## Leave a mark',
      '```run node1',
      'echo hello > /tmp/mark',
      '```',
      '```check node1',
      'grep -q hello /tmp/mark',
      '```',
    ].join('\n');
    inline.append(md);
    document.querySelector('main')!.prepend(inline);
  });
  const inline = page.locator('#inline-lesson');
  await expect(inline.getByTestId('lesson')).toHaveAttribute('data-phase', 'ready', {
    timeout: 60_000,
  });
  await expect(inline.getByTestId('host-tab')).toHaveCount(1);
  const step = inline.getByTestId('lesson-step');
  await step.getByTestId('lesson-check').click();
  await expect(step).toHaveAttribute('data-state', 'failed');
  await idle(step.getByTestId('lesson-run'));
  await step.getByTestId('lesson-run').click();
  await expect(inline.locator('[data-testid="terminal"][data-host="node1"]')).toContainText(
    'echo hello > /tmp/mark',
  );
  await idle(step.getByTestId('lesson-check'));
  await step.getByTestId('lesson-check').click();
  await expect(step).toHaveAttribute('data-state', 'passed');

  await page.evaluate(() => {
    const el = document.createElement('flannel-playground');
    el.id = 'lesson-demo';
    el.setAttribute('lesson', 'example');
    el.setAttribute('start', 'eager');
    document.querySelector('main')!.prepend(el);
  });
  const shipped = page.locator('#lesson-demo');
  await expect(shipped.getByTestId('lesson')).toHaveAttribute('data-phase', 'ready', {
    timeout: 60_000,
  });
  await expect(shipped.getByTestId('lesson')).toContainText('Your first lesson');
  expect(problems).toEqual([]);
});

test('a widget with a broken inline lesson says what is wrong and still opens its lab', async ({
  page,
}) => {
  const problems = watch(page);
  await page.goto('/embed.html');
  await page.evaluate(() => {
    const el = document.createElement('flannel-playground');
    el.id = 'broken-lesson';
    el.setAttribute('start', 'eager');
    const md = document.createElement('script');
    md.type = 'text/markdown';
    md.textContent = '---\ntitle: Broken\n---\n## A step\n```check node7\ntrue\n```\n';
    el.append(md);
    document.querySelector('main')!.prepend(el);
  });
  const el = page.locator('#broken-lesson');
  await expect(el.getByTestId('params-error')).toContainText('line 5: no host node7 in this lab');
  await expect(el.getByTestId('lab-ready')).toBeVisible({ timeout: 60_000 });
  await expect(el.getByTestId('lesson')).toHaveCount(0);
  expect(problems).toEqual([]);
});
