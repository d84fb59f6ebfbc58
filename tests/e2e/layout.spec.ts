// Issue 8 (items 9-12) and issue 9 §5: the address bar keeps the lab, the landing fits a phone,
// the user picks which terminals stand side by side and maximises one, the font size is
// remembered, and one shell history survives a reload.
import { test, expect, devices, type Page } from '@playwright/test';
import { run, screenText, terminal, typeLine, watch } from './helpers.ts';

const READY_MS = 30_000;

async function ready(page: Page) {
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: READY_MS });
}

/** Opens a lab at a window size and waits until it is ready. */
async function openAt(page: Page, width: number, height: number, url: string) {
  await page.setViewportSize({ width, height });
  await page.goto(url);
  await ready(page);
}

const tab = (page: Page, host: string) =>
  page.locator(`[data-testid="host-tab"][data-host="${host}"]`);

/** The hosts whose terminals are on screen, left to right. */
async function onScreen(page: Page): Promise<string[]> {
  const panes = await page.getByTestId('pane').all();
  const seen: { host: string; x: number }[] = [];
  for (const p of panes) {
    const box = await p.boundingBox();
    if (box && box.width > 0) seen.push({ host: (await p.getAttribute('data-host'))!, x: box.x });
  }
  return seen.sort((a, b) => a.x - b.x).map((s) => s.host);
}

/** The terminal's width in columns: the first row of a 300-character line that wraps. */
async function columns(page: Page, host: string): Promise<number> {
  const line = await run(page, host, `X=xxxxxxxxxx; echo ${'${X}'.repeat(30)}`);
  expect(line.replace(/\n/g, '')).toBe('x'.repeat(300));
  return line.split('\n')[0].length;
}

test('after Start the address bar keeps the lab, also after add host and a backend switch', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = watch(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await page.getByTestId('start-lab').click();
  await ready(page);
  const params = () => new URL(page.url()).searchParams;
  expect(params().get('nodes')).toBe('3');
  expect(params().get('backend')).toBe('vxlan');
  const labId = params().get('lab');
  expect(labId).toMatch(/^[a-z0-9-]{1,32}$/);

  await page.getByTestId('add-host').click();
  await expect(page.getByTestId('host-tab')).toHaveCount(4);
  await expect.poll(() => params().get('nodes')).toBe('4');
  await page.getByTestId('backend-select').selectOption('host-gw');
  await expect(page.getByTestId('backend')).toHaveText('host-gw');
  await expect.poll(() => params().get('backend')).toBe('host-gw');
  expect(params().get('lab')).toBe(labId);
  await ready(page);

  await page.reload();
  await ready(page);
  await expect(page.getByTestId('host-tab')).toHaveCount(4);
  await expect(page.getByTestId('backend')).toHaveText('host-gw');
  expect(problems).toEqual([]);
});

test('the phone landing shows Start above the fold', async ({ browser }) => {
  // A 390x844 phone: the browser's own bars leave the page 390x664 (Playwright's iPhone 12).
  const { defaultBrowserType: _, ...phone } = devices['iPhone 12'];
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto('/');
  const start = page.getByTestId('start-lab');
  await expect(start).toBeVisible();
  const box = (await start.boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(viewport.height).toBe(664);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
  // Nothing covers it (the offline toast sits at the bottom), and it starts the lab on a tap.
  const hit = await page.evaluate(
    ([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid="start-lab"]') !== null,
    [box.x + box.width / 2, box.y + box.height / 2],
  );
  expect(hit).toBe(true);
  // The page itself does not scroll sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await start.tap();
  await ready(page);
  await context.close();
});

test('at 1024 px the user picks which terminals stand side by side, for 5 hosts', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = watch(page);
  await openAt(page, 1024, 768, '/?nodes=5&lab=e2e-panes');
  expect(await onScreen(page)).toEqual(['node1', 'node2', 'node3']);
  // A tab shows its host in the focused pane (node2's: it is the active one).
  await tab(page, 'node5').click();
  expect(await onScreen(page)).toEqual(['node1', 'node5', 'node3']);
  await expect(tab(page, 'node5')).toHaveAttribute('aria-selected', 'true');
  await typeLine(page, 'node5', 'hostname');
  await expect(terminal(page, 'node5')).toContainText(/hostname\s*node5/);
  // Two side by side: close one pane.
  await page.getByRole('button', { name: 'Close the pane of node1' }).click();
  expect(await onScreen(page)).toEqual(['node5', 'node3']);
  await expect(page.getByTestId('add-pane')).toBeVisible();
  // Back to three: the new pane shows the first host not on screen.
  await page.getByTestId('add-pane').click();
  expect(await onScreen(page)).toEqual(['node5', 'node3', 'node1']);
  await expect(page.getByTestId('add-pane')).toHaveCount(0);
  // Maximise one, by keyboard; restore.
  const max = page.getByRole('button', { name: 'Maximise the terminal of node3' });
  await max.focus();
  await page.keyboard.press('Enter');
  await expect(max).toHaveAttribute('aria-pressed', 'true');
  expect(await onScreen(page)).toEqual(['node3']);
  // The toggle keeps the keyboard: the same key restores the panes.
  await expect(max).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(max).toHaveAttribute('aria-pressed', 'false');
  expect(await onScreen(page)).toEqual(['node5', 'node3', 'node1']);
  // A maximised host that is removed gives the console back to the panes left.
  await max.click();
  page.once('dialog', (d) => void d.accept());
  await page.locator('[data-testid="remove-host"][data-host="node3"]').click();
  await expect(tab(page, 'node3')).toHaveCount(0);
  expect(await onScreen(page)).toEqual(['node5', 'node1']);
  await expect(page.getByTestId('add-pane')).toBeVisible();
  // No control inside another one.
  expect(await page.locator('button button, [role="tab"] button, button select').count()).toBe(0);
  expect(problems).toEqual([]);
});

test('below 1024 px one terminal at a time', async ({ page }) => {
  await openAt(page, 1000, 768, '/?lab=e2e-narrow');
  expect(await onScreen(page)).toEqual(['node2']);
  await expect(page.getByTestId('maximise')).toHaveCount(0);
  await tab(page, 'node3').click();
  expect(await onScreen(page)).toEqual(['node3']);
});

test('a maximised terminal is 100 columns or more at 1440 px; the font size is remembered', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openAt(page, 1440, 900, '/?lab=e2e-maximise');
  expect(await columns(page, 'node2')).toBeLessThan(100);
  await page.locator('[data-testid="maximise"][data-host="node2"]').click();
  const wide = await columns(page, 'node2');
  expect(wide).toBeGreaterThanOrEqual(100);

  const fontSize = () =>
    terminal(page, 'node2')
      .locator('.xterm-rows')
      .evaluate((el) => getComputedStyle(el).fontSize);
  expect(await fontSize()).toBe('13px');
  for (let i = 0; i < 3; i++) await page.getByTestId('font-larger').click();
  await expect(page.getByTestId('font-size')).toHaveText('16px');
  await expect.poll(fontSize).toBe('16px');
  // Bigger letters, fewer columns, still the 100 that long lines need.
  const bigger = await columns(page, 'node2');
  expect(bigger).toBeLessThan(wide);
  expect(bigger).toBeGreaterThanOrEqual(100);
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('font-size')).toHaveText('16px');
  await expect.poll(fontSize).toBe('16px');
  await page.getByTestId('font-smaller').click();
  await expect.poll(fontSize).toBe('15px');
});

test('one shell history: arrow-up and `history` agree after a reload', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = watch(page);
  await openAt(page, 1280, 800, '/?lab=e2e-history');
  await typeLine(page, 'node1', 'echo first');
  await typeLine(page, 'node1', ' echo secret');
  await typeLine(page, 'node1', 'echo second');
  await expect(terminal(page, 'node1')).toContainText(/echo second\s*second/);
  await page.reload();
  await ready(page);
  const listed = await run(page, 'node1', 'history');
  expect(listed).toMatch(/^ +1 {2}echo first$/m);
  expect(listed).toMatch(/^ +2 {2}echo second$/m);
  expect(listed).not.toContain('secret');
  // Arrow-up walks the same list: the last lines run (run's own), then the ones before.
  await typeLine(page, 'node1', 'clear');
  await expect.poll(async () => (await screenText(page, 'node1')).trim()).toBe('root@node1:~#');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => screenText(page, 'node1')).toContain('root@node1:~# clear');
  const history = (await page.evaluate(() =>
    JSON.parse(localStorage.getItem('flannel-playground/e2e-history/history/node1') ?? '[]'),
  )) as string[];
  const back = history.length - history.indexOf('echo second');
  for (let i = 1; i < back; i++) await page.keyboard.press('ArrowUp');
  await expect.poll(() => screenText(page, 'node1')).toContain('root@node1:~# echo second');
  await page.keyboard.press('Enter');
  await expect(terminal(page, 'node1')).toContainText(/echo second\s*second/);
  expect(problems).toEqual([]);
});

test('keys typed while a command runs wait for the prompt; Ctrl-C drops them', async ({ page }) => {
  await openAt(page, 1280, 800, '/?lab=e2e-typeahead');
  await typeLine(page, 'node1', 'ping -c 2 -i 0.5 172.16.112.133');
  await expect(terminal(page, 'node1')).toContainText('icmp_seq=1');
  await page.keyboard.type('hostname');
  await page.keyboard.press('Enter');
  await expect(terminal(page, 'node1')).toContainText(/packet loss[\s\S]*# hostname\s*node1/);
  await typeLine(page, 'node1', 'ping 172.16.112.133');
  await expect(terminal(page, 'node1')).toContainText('icmp_seq=1');
  await page.keyboard.type('echo dropped');
  await page.keyboard.press('Control+c');
  await expect(terminal(page, 'node1')).toContainText('packets transmitted');
  await typeLine(page, 'node1', 'echo kept');
  await expect(terminal(page, 'node1')).toContainText(/# echo kept\s*kept/);
  expect(await screenText(page, 'node1')).not.toContain('dropped');
});
