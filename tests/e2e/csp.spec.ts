// Issue 16: the site's Content-Security-Policy (src/ui/csp.ts), in a <meta> of every built page.
// Every page is loaded with it enforced and used (a lab booted, a command run, the embedding
// demo's widgets and its Run button) and no violation is reported; then an inline script shows
// that the policy is enforced and that a violation would have been seen.
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { contentSecurityPolicy } from '../../src/ui/csp.ts';
import { terminal, typeLine } from './helpers.ts';

const dist = (p: string) => readFileSync(new URL(`../../dist/${p}`, import.meta.url), 'utf8');

/** Violations the page (its document and its workers) reports, as they happen. */
async function violations(page: Page): Promise<() => Promise<string[]>> {
  const fromConsole: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) fromConsole.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return async () => [
    ...fromConsole,
    ...(await page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    )),
  ];
}

/** The policy is enforced: an inline script put in the page does not run, and is reported. */
async function enforced(page: Page, seen: () => Promise<string[]>): Promise<void> {
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true';
    document.head.append(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return (window as unknown as { inlineRan?: boolean }).inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(async () => (await seen()).some((v) => v.includes('script-src'))).toBe(true);
}

test('every built page carries the policy first in its head, and no inline script', () => {
  for (const page of ['index.html', 'embed.html']) {
    const html = dist(page).replaceAll('&#39;', "'");
    const head = html.slice(html.indexOf('<head>') + '<head>'.length).trimStart();
    expect(head.startsWith('<meta http-equiv="Content-Security-Policy"'), page).toBe(true);
    expect(html, page).toContain(`content="${contentSecurityPolicy()}"`);
    // Every script element has a src, or is data (type="text/plain").
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(
      ([, attrs, body]) =>
        !/\bsrc=/.test(attrs) && !/type="text\/plain"/.test(attrs) && body.trim(),
    );
    expect(inline, page).toEqual([]);
  }
});

test('the landing page and a running lab report no violation', async ({ page }) => {
  const seen = await violations(page);
  await page.goto('/');
  await expect(page.getByTestId('start-lab').first()).toBeVisible({ timeout: 15_000 });
  await page.goto('/?nodes=2&lab=e2e-csp');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  await typeLine(page, 'node2', 'etcdctl get --prefix /coreos.com/network/subnets --keys-only');
  await expect(terminal(page, 'node2')).toContainText('/coreos.com/network/subnets/10.244.', {
    timeout: 15_000,
  });
  expect(await seen()).toEqual([]);
  await enforced(page, seen);
});

test('the embedding demo, its widgets and its Run button report no violation', async ({ page }) => {
  const seen = await violations(page);
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto('/embed.html');
  await expect(page.locator('#vxlan-demo').getByTestId('lab-ready')).toBeVisible({
    timeout: 30_000,
  });
  await page.locator('#run-ip-route').click();
  await expect(
    page.locator('#host-gw-demo [data-testid="terminal"][data-host="node2"]'),
  ).toContainText('ip route', { timeout: 30_000 });
  expect(await seen()).toEqual([]);
  await enforced(page, seen);
});
