import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ORIGIN, watch } from './helpers.ts';

type Widget = HTMLElement & {
  run(host: string, command: string, options?: { echo?: boolean }): Promise<string>;
};

test.beforeEach(async ({ page }) => {
  // Record the widgets' events from the start (they do not bubble: capture them).
  await page.addInitScript(() => {
    const log: string[] = [];
    (window as unknown as { fpEvents: string[] }).fpEvents = log;
    for (const type of ['ready', 'error']) {
      document.addEventListener(type, (e) => log.push(`${(e.target as Element).id}:${type}`), true);
    }
  });
});

test('embed.html: two isolated widgets boot, run commands and theme themselves', async ({
  page,
}) => {
  const problems = watch(page);
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto('/embed.html');
  const vxlan = page.locator('#vxlan-demo');
  const hostGw = page.locator('#host-gw-demo');
  await expect(vxlan.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  // The initial script ran, visibly, on node1.
  await expect(vxlan.locator('[data-testid="terminal"][data-host="node1"]')).toContainText(
    /root@node1:~# hostname\s*node1/,
  );
  // The second widget is lazy: it waits below the fold, and boots when scrolled into view.
  await expect(hostGw.getByTestId('start-lab')).toBeVisible();
  await expect(hostGw.getByTestId('host-tab')).toHaveCount(0);
  await hostGw.scrollIntoViewIfNeeded();
  await expect(hostGw.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await expect(hostGw.getByTestId('host-tab')).toHaveCount(2);
  await expect(hostGw.locator('header')).toContainText('host-gw');
  await expect(vxlan.locator('header')).toContainText('vxlan');
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { fpEvents: string[] }).fpEvents))
    .toEqual(expect.arrayContaining(['vxlan-demo:ready', 'host-gw-demo:ready']));

  // el.run resolves to the command's output.
  const out = await page.evaluate(() =>
    (document.querySelector('#vxlan-demo') as Widget).run('node3', 'hostname'),
  );
  expect(out).toBe('node3\n');
  const out2 = await page.evaluate(() =>
    (document.querySelector('#host-gw-demo') as Widget).run('node2', 'echo hi there'),
  );
  expect(out2).toBe('hi there\n');
  await expect(hostGw.locator('[data-testid="terminal"][data-host="node2"]')).toContainText(
    /echo hi there\s*hi there/,
  );

  // theme="dark" renders dark; the other follows the (light) system theme.
  const bg = (id: string) =>
    page.evaluate(
      (id) =>
        getComputedStyle(document.querySelector(id)!.shadowRoot!.querySelector('.app')!)
          .backgroundColor,
      id,
    );
  expect(await bg('#host-gw-demo')).toBe('rgb(10, 13, 18)');
  expect(await bg('#vxlan-demo')).toBe('rgb(243, 245, 248)');
  // Styles stay in the shadow roots: the page itself gets none of the lab's rules.
  expect(await page.evaluate(() => document.head.querySelectorAll('style').length)).toBe(1);

  // Two labs, two wires: their lab ids differ.
  const ids = await page.evaluate(() =>
    [...document.querySelectorAll('flannel-playground')].map((e) => (e as HTMLElement).dataset.lab),
  );
  expect(ids).toHaveLength(2);
  expect(ids[0]).toMatch(/^[a-z0-9-]+$/);
  expect(ids[0]).not.toBe(ids[1]);
  expect(problems).toEqual([]);

  mkdirSync('tests/e2e/screenshots', { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'tests/e2e/screenshots/embed.png', fullPage: true });
});

test('a widget with bad attributes reports them and starts the default lab', async ({ page }) => {
  await page.goto('/embed.html');
  await page.evaluate(() => {
    const el = document.createElement('flannel-playground');
    el.id = 'bad';
    el.setAttribute('backend', 'ipip');
    el.setAttribute('start', 'eager');
    document.querySelector('main')!.prepend(el);
  });
  const bad = page.locator('#bad');
  await expect(bad.getByTestId('params-error')).toContainText('backend=ipip: unknown backend type');
  await expect(bad.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { fpEvents: string[] }).fpEvents))
    .toContain('bad:error');
});

test('no frame crosses between two widgets unless they share a lab id', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/embed.html');
  // A has only node1 (.128); B also has node2 (.133). A reaches .133 only through B's wire.
  const pingFromA = (shared: boolean) =>
    page.evaluate(async (shared) => {
      const make = (id: string, nodes: string) => {
        const el = document.createElement('flannel-playground') as Widget;
        el.id = id;
        el.setAttribute('nodes', nodes);
        el.setAttribute('start', 'eager');
        if (shared) el.setAttribute('lab', 'e2e-shared-wire');
        document.querySelector('main')!.prepend(el);
        return el;
      };
      const tag = shared ? 'shared' : 'isolated';
      const a = make(`a-${tag}`, '1');
      // Sharing a lab, B joins A's and adds hosts: node2 (.133) and node3, after A's node1.
      if (shared) await a.run('node1', 'true');
      const b = make(`b-${tag}`, '2');
      const fromB = await b.run(shared ? 'node2' : 'node1', 'ping -c 1 -W 1 172.16.112.133');
      const fromA = await a.run('node1', 'ping -c 1 -W 1 172.16.112.133');
      a.remove();
      b.remove();
      return { fromA, fromB };
    }, shared);
  const isolated = await pingFromA(false);
  expect(isolated.fromB).toContain('1 packets transmitted, 1 received, 0% packet loss');
  expect(isolated.fromA).toContain('1 packets transmitted, 0 received, 100% packet loss');
  const shared = await pingFromA(true);
  expect(shared.fromA).toContain('1 packets transmitted, 1 received, 0% packet loss');
  expect(problems).toEqual([]);
});

test('el.run boots a lazy widget and answers', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/embed.html');
  const out = await page.evaluate(async () => {
    const el = document.createElement('flannel-playground') as Widget;
    el.id = 'late';
    el.setAttribute('nodes', '1');
    el.style.marginTop = '3000px'; // far below the fold: only `run` can start it
    document.body.append(el);
    return el.run('node1', 'hostname');
  });
  expect(out).toBe('node1\n');
  await expect(page.locator('#late [data-testid="host-tab"]')).toHaveCount(1);
  await expect(
    page.evaluate(() => (document.querySelector('#late') as Widget).run('node9', 'hostname')),
  ).rejects.toThrow('no host named node9');
  expect(problems).toEqual([]);
});

test('a docs page on another origin embeds the widget, themed with --fp-*', async ({ page }) => {
  // A docs site of its own (another port, so another origin) loads embed.js from the playground.
  const html = `<!doctype html><meta charset="utf-8"><title>docs</title>
    <style>flannel-playground { --fp-accent: #7c3aed; --fp-term: #fff7ed; }</style>
    <script type="module" src="http://${ORIGIN}/embed.js"></script>
    <flannel-playground id="x" start="eager" nodes="2" script="hostname"></flannel-playground>`;
  const docs = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((resolve) => docs.listen(0, '127.0.0.1', resolve));
  const port = (docs.address() as AddressInfo).port;
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`http://127.0.0.1:${port}/guide.html`);
    const x = page.locator('#x');
    await expect(x.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
    await expect(x.locator('[data-testid="terminal"][data-host="node1"]')).toContainText(
      /hostname\s*node1/,
    );
    const colours = await page.evaluate(() => {
      const root = document.querySelector('#x')!.shadowRoot!;
      return {
        badge: getComputedStyle(root.querySelector('.badge')!).backgroundColor,
        term: getComputedStyle(root.querySelector('.xterm-scrollable-element')!).backgroundColor,
      };
    });
    expect(colours).toEqual({ badge: 'rgb(124, 58, 237)', term: 'rgb(255, 247, 237)' });
    expect(errors).toEqual([]);
  } finally {
    docs.close();
  }
});

/** Where the keyboard is: the tag of the focused element of the page itself. */
const activeTag = (page: Page) => page.evaluate(() => document.activeElement?.tagName ?? 'none');

test('a widget never takes the docs page’s keyboard (eager below the fold, lazy scrolled in)', async ({
  page,
}) => {
  const problems = watch(page);
  await page.setViewportSize({ width: 1000, height: 700 });
  const filler = (px: number) =>
    `<div style="height:${px}px">${'<p>Docs text about flannel.</p>'.repeat(px / 50)}</div>`;
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>docs</title>
    <script type="module" src="/embed.js"></script>
    <main><h1>A long guide</h1>${filler(1500)}
    <flannel-playground id="eager" start="eager" nodes="2" script="hostname"></flannel-playground>
    ${filler(2500)}
    <flannel-playground id="lazy" nodes="1"></flannel-playground>
    ${filler(3000)}</main></html>`;
  await page.route('**/docs-guide.html', (route) =>
    route.fulfill({ contentType: 'text/html', body: html }),
  );
  await page.goto('/docs-guide.html');
  const events = () => page.evaluate(() => (window as unknown as { fpEvents: string[] }).fpEvents);
  await expect.poll(events, { timeout: 15_000 }).toContain('eager:ready');
  expect(await activeTag(page)).toBe('BODY');
  expect(await page.evaluate(() => scrollY)).toBe(0);

  const scrolledBy = async (key: string) => {
    // After the last key's smooth scroll has come to rest.
    let last = -1;
    await expect
      .poll(async () => last === (last = await page.evaluate(() => scrollY)), { intervals: [150] })
      .toBe(true);
    const before = last;
    await page.keyboard.press(key);
    await expect.poll(() => page.evaluate(() => scrollY)).toBeGreaterThan(before + 300);
  };
  await scrolledBy('PageDown');
  await scrolledBy('Space');
  expect(await activeTag(page)).toBe('BODY');

  // The lazy one boots when the reader scrolls to it, and leaves the keyboard alone too.
  await page.evaluate(() => document.querySelector('#lazy')!.scrollIntoView({ block: 'center' }));
  await expect.poll(events, { timeout: 15_000 }).toContain('lazy:ready');
  await expect(page.locator('#lazy [data-testid="terminal"]')).toHaveCount(1);
  expect(await activeTag(page)).toBe('BODY');
  await scrolledBy('PageDown');
  await scrolledBy('Space');
  expect(await activeTag(page)).toBe('BODY');

  // A click gives the widget the keyboard, as it should, and its keys stay in it: the page's
  // own shortcuts (a "/" for search...) do not see them.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { pageKeys: string[] }).pageKeys = seen;
    document.addEventListener('keydown', (e) => seen.push(e.key));
  });
  await page.locator('#lazy [data-testid="terminal"]').click();
  expect(await activeTag(page)).toBe('FLANNEL-PLAYGROUND');
  await page.keyboard.type('echo /x');
  await page.keyboard.press('Enter');
  await expect(page.locator('#lazy [data-testid="terminal"]')).toContainText(/echo \/x\s*\/x/);
  expect(await page.evaluate(() => (window as unknown as { pageKeys: string[] }).pageKeys)).toEqual(
    [],
  );
  expect(problems).toEqual([]);
});

test('a widget shows the controls its embedder chose; reset boots it clean', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/embed.html');
  page.on('dialog', (d) => void d.accept());
  await page.evaluate(() => {
    const main = document.querySelector('main')!;
    for (const [id, controls] of [
      ['plain', null],
      ['all', 'clock,backend,hosts,capture,reset'],
      ['none', ''],
    ] as const) {
      const el = document.createElement('flannel-playground');
      el.id = id;
      el.setAttribute('start', 'eager');
      el.setAttribute('nodes', '2');
      el.setAttribute('lab', `e2e-controls-${id}`);
      if (controls !== null) el.setAttribute('controls', controls);
      main.prepend(el);
    }
  });
  const counts = async (id: string) => {
    const w = page.locator(`#${id}`);
    await expect(w.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
    await w.getByRole('button', { name: 'topology' }).click();
    await expect(w.getByTestId('topology-host')).toHaveCount(2);
    const n = (sel: string) => w.locator(sel).count();
    return {
      speed: await n('select:not([data-testid])'),
      advance: await w.getByRole('button', { name: '+1 h' }).count(),
      backend: await n('[data-testid="backend-select"]'),
      addHost: await n('[data-testid="add-host"]'),
      removeHost: await n('[data-testid="remove-host"]'),
      capture: (await n('[data-testid="capture"]')) > 0 ? 1 : 0,
      reset: await n('[data-testid="reset-lab"]'),
    };
  };
  const none = {
    speed: 0,
    advance: 0,
    backend: 0,
    addHost: 0,
    removeHost: 0,
    capture: 0,
    reset: 0,
  };
  expect(await counts('plain')).toEqual({ ...none, capture: 1 });
  expect(await counts('none')).toEqual(none);
  expect(await counts('all')).toEqual({
    speed: 1,
    advance: 1,
    backend: 1,
    addHost: 1,
    removeHost: 2,
    capture: 1,
    reset: 1,
  });

  // Reset: the lab's etcd data goes, and the same lab boots again (its `ready` fires again).
  const all = page.locator('#all');
  const run = (cmd: string) =>
    page.evaluate((cmd) => (document.querySelector('#all') as Widget).run('node1', cmd), cmd);
  await run('etcdctl put /e2e/kept yes');
  expect(await run('etcdctl get /e2e/kept')).toBe('/e2e/kept\nyes\n');
  await all.getByTestId('reset-lab').click();
  await expect(all.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  expect(await run('etcdctl get /e2e/kept')).toBe('');
  expect(problems).toEqual([]);
});

test('el.run with echo shows the reader the host and the command; without, it stays quiet', async ({
  page,
}) => {
  const problems = watch(page);
  await page.goto('/embed.html');
  const vxlan = page.locator('#vxlan-demo');
  await expect(vxlan.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  const tab = (host: string) => vxlan.locator(`[data-testid="host-tab"][data-host="${host}"]`);
  const call = (host: string, cmd: string, echo: boolean) =>
    page.evaluate(
      ([host, cmd, echo]) =>
        (document.querySelector('#vxlan-demo') as Widget).run(host, cmd, { echo }),
      [host, cmd, echo] as const,
    );
  // node2 was never shown: without echo it runs unseen and its tab stays unselected.
  expect(await call('node2', 'echo quiet', false)).toBe('quiet\n');
  await expect(tab('node1')).toHaveAttribute('aria-selected', 'true');
  await expect(vxlan.locator('[data-testid="terminal"][data-host="node2"]')).toHaveCount(0);
  // With echo: node3 is selected and the reader sees the line typed and its output.
  expect(await call('node3', 'hostname', true)).toBe('node3\n');
  await expect(tab('node3')).toHaveAttribute('aria-selected', 'true');
  await expect(vxlan.locator('[data-testid="terminal"][data-host="node3"]')).toContainText(
    /root@node3:~# hostname\s*node3/,
  );
  // The page keeps its keyboard; a host that does not exist is an error, as without echo.
  expect(await activeTag(page)).toBe('BODY');
  await expect(call('node9', 'hostname', true)).rejects.toThrow('no host named node9');
  // embed.html's "Run on node2" button boots the lazy widget and shows what ran.
  await page.locator('#run-ip-route').click();
  await expect(
    page.locator('#host-gw-demo [data-testid="terminal"][data-host="node2"]'),
  ).toContainText(/root@node2:~# ip route\s*10\.244\./, { timeout: 15_000 });
  expect(problems).toEqual([]);
});
