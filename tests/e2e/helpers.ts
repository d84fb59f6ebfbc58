import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const ORIGIN = `127.0.0.1:${process.env.E2E_PORT ?? 4173}`;

/** Collects console errors, page errors and requests to any other origin. */
export function watch(page: Page, { ignoreOffline = false } = {}) {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Offline, the browser logs the failed revalidation of the page it then serves from cache.
    if (ignoreOffline && /ERR_INTERNET_DISCONNECTED/.test(m.text())) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'blob:' || url.protocol === 'data:') return;
    if (url.host !== ORIGIN) problems.push(`request to another origin: ${r.url()}`);
  });
  return problems;
}

export function terminal(page: Page, host: string, scope = '') {
  return page.locator(`${scope} [data-testid="terminal"][data-host="${host}"]`.trim());
}

export async function typeLine(page: Page, host: string, line: string) {
  await page.locator(`[data-testid="host-tab"][data-host="${host}"]`).click();
  await terminal(page, host).click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/**
 * What a host's terminal shows, rows only. The terminal element's own textContent also
 * holds xterm's <style> elements (one of them after the rows), so it is not append-only.
 */
export function screenText(page: Page, host: string): Promise<string> {
  return terminal(page, host)
    .locator('.xterm-rows')
    .evaluate((rows) => [...rows.children].map((r) => r.textContent ?? '').join('\n'));
}

/**
 * Runs a line in a host's terminal, as a person types it, and returns what it printed. Two
 * echoed markers bracket the output, so wrapped lines and scrolling cannot confuse the cut.
 */
export async function run(
  page: Page,
  host: string,
  line: string,
  timeout = 20_000,
): Promise<string> {
  const rows = async () => (await screenText(page, host)).split('\n').map((r) => r.trimEnd());
  await typeLine(page, host, 'clear');
  // ${M} keeps the typed line itself from ever showing a bare marker.
  await typeLine(page, host, `M=@@; echo \${M}S; ${line}; echo \${M}E`);
  await expect.poll(async () => (await rows()).includes('@@E'), { timeout }).toBe(true);
  const screen = await rows();
  return screen.slice(screen.indexOf('@@S') + 1, screen.indexOf('@@E')).join('\n');
}

/** Opens a lab and waits until it is ready; returns what went wrong on the page (`watch`). */
export async function openLab(page: Page, query: string, readyMs = 30_000): Promise<string[]> {
  const problems = watch(page);
  await page.goto(`/?${query}`);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: readyMs });
  return problems;
}

/** axe-core's violations, as "rule: target" lines (an empty list is the goal). */
export async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    // The experimental rule for WCAG 2.5.3 (label in name) too.
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary?.split('\n')[1]})`),
  );
}
