import { test, expect } from '@playwright/test';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { terminal, typeLine, watch } from './helpers.ts';

const dist = (p: string) => new URL(`../../dist/${p}`, import.meta.url);

test('dist/ holds the manifest, the service worker and the icons', () => {
  const manifest = JSON.parse(readFileSync(dist('manifest.webmanifest'), 'utf8'));
  expect(manifest.name).toBe('Flannel Playground');
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.start_url).toBe('./');
  for (const icon of manifest.icons) expect(existsSync(dist(icon.src)), icon.src).toBe(true);
  expect(manifest.icons.some((i: { sizes: string }) => i.sizes === '512x512')).toBe(true);
  const sw = readFileSync(dist('sw.js'), 'utf8');
  // Every built script (the workers' chunks too) and every wasm file is precached.
  const assets = readdirSync(dist('assets')).filter((f) => /\.(js|wasm)$/.test(f));
  expect(assets.some((f) => f.includes('.worker-'))).toBe(true);
  for (const f of assets) expect(sw, `${f} precached`).toContain(`assets/${f}`);
  for (const f of ['index.html', 'embed.html', 'embed.js']) expect(sw).toContain(`"${f}"`);
  const index = readFileSync(dist('index.html'), 'utf8');
  expect(index).toContain('manifest.webmanifest');
});

test('after one visit the lab starts and works offline', async ({ page, context }) => {
  const problems = watch(page, { ignoreOffline: true });
  await page.goto('/?lab=e2e-offline');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  // The service worker is active once it has precached everything.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await typeLine(page, 'node2', 'hostname');
    await expect(terminal(page, 'node2')).toContainText(/hostname\s*node2/);
  } finally {
    await context.setOffline(false);
  }
  expect(problems).toEqual([]);
});

test("the service worker answers navigations for the app only; other pages are the server's", async ({
  page,
  context,
}) => {
  await page.goto('/?lab=e2e-sw-scope');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  for (const path of ['/', '/index.html', '/?nodes=2', '/index.html?lab=x', '/embed.html']) {
    const res = await page.goto(path);
    expect(res?.fromServiceWorker(), path).toBe(true);
  }
  for (const path of ['/other.html', '/missing', '/docs/page.html?x=1']) {
    const res = await page.goto(path);
    expect(res?.fromServiceWorker(), path).toBe(false);
  }
  // Offline, the app still opens; a page the site does not have is not the app in disguise.
  await context.setOffline(true);
  try {
    expect((await page.goto('/?lab=e2e-sw-scope'))?.fromServiceWorker()).toBe(true);
    await expect(page.goto('/missing')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED|ERR_FAILED/);
  } finally {
    await context.setOffline(false);
  }
});

test('a new deployment shows the update prompt, and Reload switches to it', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?lab=e2e-update');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // A returning visitor: the page is served by the installed service worker.
  await page.reload();
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // "Deploy" a new version: a changed service worker script.
  const swPath = dist('sw.js');
  const original = readFileSync(swPath, 'utf8');
  writeFileSync(swPath, `${original}\n// deployed again ${Date.now()}\n`);
  try {
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration!.update();
    });
    const toast = page.getByTestId('update-toast');
    await expect(toast).toContainText('A new version of the playground is available.', {
      timeout: 15_000,
    });
    const reloaded = page.waitForEvent('framenavigated');
    await toast.getByRole('button', { name: 'Reload' }).click();
    await reloaded;
    await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('update-toast')).toHaveCount(0);
  } finally {
    writeFileSync(swPath, original);
  }
  expect(problems).toEqual([]);
});
