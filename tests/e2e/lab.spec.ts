import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { screenText, terminal, typeLine, watch } from './helpers.ts';

test('the landing starts the default lab: three hosts, lab-ready, no errors', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Flannel Playground');
  // A bare visit shows the landing; nothing boots until Start.
  await expect(page.getByTestId('host-tab')).toHaveCount(0);
  await page.getByTestId('start-lab').click();
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('host-tab')).toHaveCount(3);
  for (const h of ['node1', 'node2', 'node3']) {
    await expect(page.locator(`[data-testid="host-tab"][data-host="${h}"]`)).toBeVisible();
  }
  // A fresh lab gets its own id in the URL, so a reload finds the same lab.
  expect(new URL(page.url()).searchParams.get('lab')).toMatch(/^[a-z0-9-]{1,32}$/);
  expect(problems).toEqual([]);
});

test('hostname prints node2 and a typo is reported as bash does', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?lab=e2e-hostname');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  const t = terminal(page, 'node2');
  await expect(t).toContainText('root@node2:~#');
  await typeLine(page, 'node2', 'hostname');
  await expect(t).toContainText(/root@node2:~# hostname\s*node2\s*root@node2:~#/);
  await typeLine(page, 'node2', 'foo');
  await expect(t).toContainText('bash: foo: command not found');
  expect(problems).toEqual([]);
});

test('line editing, history, Ctrl-C and tab completion', async ({ page }) => {
  await page.goto('/?lab=e2e-editing');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  const t = terminal(page, 'node1');
  await page.locator('[data-testid="host-tab"][data-host="node1"]').click();
  await t.click();
  // Fix a typo in the middle of the line, then run it.
  await page.keyboard.type('hostnme');
  for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.type('a');
  await page.keyboard.press('Enter');
  await expect(t).toContainText(/hostname\s*node1/);
  // History: up arrow brings the line back. (Counted in the rows: the terminal element also
  // holds the screen reader's copy of the same text.)
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect
    .poll(async () => (await screenText(page, 'node1')).split('node1').length)
    .toBeGreaterThan(4);
  // Ctrl-C on a typed line prints ^C and a new prompt.
  await page.keyboard.type('echo never');
  await page.keyboard.press('Control+c');
  await expect(t).toContainText('echo never^C');
  // Ctrl-C interrupts a running command.
  await page.keyboard.type('sleep 1000');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
  await page.keyboard.press('Control+c');
  await expect(t).toContainText(/sleep 1000\s*\^C\s*root@node1:~#/);
  // Tab completes a command name.
  await page.keyboard.type('hostn');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect
    .poll(async () => (await screenText(page, 'node1')).match(/hostname\s*node1/g)?.length)
    .toBe(3);
});

test('bad URL parameters show a message and the default lab', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?nodes=500&backend=ipip&network=banana&lab=e2e-bad');
  const notice = page.getByTestId('params-error');
  await expect(notice).toContainText('nodes=500: at most 100 hosts per tab');
  await expect(notice).toContainText('backend=ipip: unknown backend type');
  await expect(notice).toContainText('network=banana: invalid CIDR address: banana');
  await expect(page.getByTestId('host-tab')).toHaveCount(3);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('header')).toContainText('vxlan');
  expect(problems).toEqual([]);
});

test('valid URL parameters shape the lab', async ({ page }) => {
  await page.goto('/?nodes=5&backend=host-gw&lab=e2e-five');
  await expect(page.getByTestId('host-tab')).toHaveCount(5);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('header')).toContainText('host-gw');
  await typeLine(page, 'node5', 'hostname');
  await expect(terminal(page, 'node5')).toContainText(/hostname\s*node5/);
});

test('the clock advances by 24 hours', async ({ page }) => {
  await page.goto('/?lab=e2e-clock');
  const clock = page.locator('.clock');
  const before = Date.parse((await clock.textContent())!.replace(' UTC', 'Z').replace(' ', 'T'));
  await page.getByRole('button', { name: '+24 h' }).click();
  // The clocks step through every deadline on the way; the header follows them.
  const after = () =>
    clock.textContent().then((t) => Date.parse(t!.replace(' UTC', 'Z').replace(' ', 'T')));
  await expect.poll(async () => (await after()) - before).toBeGreaterThanOrEqual(24 * 3600_000);
  expect((await after()) - before).toBeLessThan(24 * 3600_000 + 60_000);
});

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];
for (const size of SIZES) {
  for (const theme of ['light', 'dark'] as const) {
    test(`screenshot ${size.name} ${theme}`, async ({ page }) => {
      mkdirSync('tests/e2e/screenshots', { recursive: true });
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto(`/?lab=e2e-shot-${size.name}-${theme}&theme=${theme}`);
      await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
      await typeLine(page, 'node2', 'hostname');
      await typeLine(page, 'node2', 'foo');
      await expect(terminal(page, 'node2')).toContainText('command not found');
      await page.screenshot({ path: `tests/e2e/screenshots/${size.name}-${theme}.png` });
    });
  }
}
