// Issue 11: more than one terminal per host. "+ terminal" (or Ctrl+Shift+Enter) opens another
// shell session on the host beside the console; it has its own jobs and working directory, and
// `exit` closes it.
import { test, expect } from '@playwright/test';
import { axe, openLab, run, terminal } from './helpers.ts';

test('two terminals of one host side by side, each its own session; exit closes one', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  const problems = await openLab(page, 'lab=e2e-terminals');
  await page.locator('[data-testid="host-tab"][data-host="node1"]').click();
  await page.locator('[data-testid="new-terminal"][data-host="node1"]').click();
  const second = page.locator('[data-testid="extra-terminal"][data-host="node1"]');
  await expect(second).toBeVisible();
  const [a, b] = [await terminal(page, 'node1').boundingBox(), await second.boundingBox()];
  expect(b!.x).toBeGreaterThan(a!.x + a!.width - 10);
  expect(Math.abs(b!.y - a!.y)).toBeLessThan(5);
  expect(await axe(page)).toEqual([]);

  // The new terminal has the keyboard.
  await page.keyboard.type('cd /tmp; sleep 100 &');
  await page.keyboard.press('Enter');
  await expect(second).toContainText(/\[1\] \d+/);
  await page.keyboard.type('pwd; jobs');
  await page.keyboard.press('Enter');
  await expect(second).toContainText(/\/tmp\s*\[1\]\+\s+Running\s+sleep 100 &/);
  expect(await run(page, 'node1', 'pwd; jobs')).toBe('/root');

  // Ctrl+Shift+Enter opens a third; `exit` closes it, and the second.
  await terminal(page, 'node1').click();
  await page.keyboard.press('Control+Shift+Enter');
  await expect(page.locator('[data-testid="extra-terminal"][data-host="node1"]')).toHaveCount(2);
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="extra-terminal"][data-host="node1"]')).toHaveCount(1);
  await second.click();
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(second).toHaveCount(0);
  expect(problems).toEqual([]);
});
