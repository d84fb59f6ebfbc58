import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { ORIGIN, typeLine, watch } from './helpers.ts';

test('a share link opens the same lab shape in a fresh browser', async ({ page, browser }) => {
  const problems = watch(page);
  await page.goto('/?nodes=2&backend=udp&lab=e2e-share');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link.startsWith(`http://${ORIGIN}/#config=`)).toBe(true);
  expect(link).toMatch(/#config=[A-Za-z0-9_-]+$/);
  expect(problems).toEqual([]);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  const otherProblems = watch(other);
  await other.goto(link);
  await expect(other.getByTestId('host-tab')).toHaveCount(2);
  await expect(other.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await expect(other.locator('header')).toContainText('udp');
  await expect(other.getByTestId('params-error')).toHaveCount(0);
  // The link became ordinary parameters with a lab id of its own; a reload keeps the lab.
  const url = new URL(other.url());
  expect(url.hash).toBe('');
  expect(url.searchParams.get('backend')).toBe('udp');
  expect(url.searchParams.get('nodes')).toBe('2');
  expect(url.searchParams.get('lab')).not.toBe('e2e-share');
  await other.reload();
  await expect(other.getByTestId('host-tab')).toHaveCount(2);
  await expect(other.locator('header')).toContainText('udp');
  expect(otherProblems).toEqual([]);
  await fresh.close();
});

test('the share link carries the lab as it is now: an added host, a switched backend', async ({
  page,
}) => {
  const problems = watch(page);
  await page.goto('/?nodes=3&backend=vxlan&lab=e2e-share-now');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await page.getByTestId('add-host').click();
  await expect(page.getByTestId('host-tab')).toHaveCount(4);
  await page.getByTestId('backend-select').selectOption('host-gw');
  await expect(page.getByTestId('backend')).toHaveText('host-gw');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.getByTestId('host-tab')).toHaveCount(4);
  await expect(other.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await expect(other.getByTestId('backend')).toHaveText('host-gw');
  const url = new URL(other.url());
  expect(url.searchParams.get('nodes')).toBe('4');
  expect(url.searchParams.get('backend')).toBe('host-gw');
  expect(problems).toEqual([]);
});

test('a damaged share link is rejected with a message and the default lab', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/#config=q1YqU7IyNtRRSkoszlayUkrJTEksSS3OUCrOzy9KSS0CAA');
  const notice = page.getByTestId('params-error');
  await expect(notice).toContainText('The share link could not be opened.');
  await expect(notice).toContainText('This share link is damaged or was altered');
  await expect(page.getByTestId('host-tab')).toHaveCount(3);
  await expect(page.locator('header')).toContainText('vxlan');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  expect(problems).toEqual([]);
});

test('Reset lab deletes the lab data and starts it clean', async ({ page }) => {
  await page.goto('/?lab=e2e-reset');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await typeLine(page, 'node1', 'hostname');
  const key = 'flannel-playground/e2e-reset/history/node1';
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), key)).toContain('hostname');
  await page.evaluate(() =>
    localStorage.setItem('flannel-playground/other-lab/history/node1', '["x"]'),
  );
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('reset-lab').click();
  await page.waitForLoadState('load');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate((k) => localStorage.getItem(k), key)).toBeNull();
  expect(
    await page.evaluate(() => localStorage.getItem('flannel-playground/other-lab/history/node1')),
  ).toBe('["x"]');
  expect(new URL(page.url()).searchParams.get('lab')).toBe('e2e-reset');
});

for (const theme of ['light', 'dark'] as const) {
  test(`screenshot of the landing (${theme})`, async ({ page }) => {
    mkdirSync('tests/e2e/screenshots', { recursive: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`/?theme=${theme}`);
    await expect(page.getByTestId('start-lab')).toBeVisible();
    await page.screenshot({ path: `tests/e2e/screenshots/landing-${theme}.png` });
  });
}
