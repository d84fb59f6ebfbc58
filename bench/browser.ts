// Browser figures: the built site (dist/) in headless Debian Chromium, each figure beside its
// physical limit measured in the same run with bare workers (bench/browser/bare.*), so the
// ratios hold on a noisy machine. Timing never fails anything: a figure that cannot be taken
// is reported as a string saying why.
//
//   ping_rtt.<backend>   pod1@node1 -> pod1@node2 `ping -i 0.01` p50/p99 (the lab clock is real
//                        time at speed 1) vs a bare BroadcastChannel round trip, 100 B
//   flood.*              one-way pod-to-pod frames/s of `ping -f -l 32 -s 1400`, 2-host and
//                        64-host labs, vs bare BroadcastChannel / MessagePort frames/s (32 frames
//                        per message)
//   ready.<n>            navigation -> data-testid="lab-ready" on index.html vs spawning n bare
//                        workers; memory per host from /proc PSS before and after
//   first_view.*         gzip size of the JS, CSS, wasm and HTML the first view requested
//   warm.*               lab-ready on a second visit, the service worker serving the files
//
// Run alone: `npx tsx bench/browser.ts` (builds dist/ first if it is missing).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/chromium.ts';
import { browserPssKb } from './browser/pss.ts';
import { serveStatic } from './browser/server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const BENCH_PAGES = fileURLToPath(new URL('./browser/', import.meta.url));

const BACKENDS = ['vxlan', 'host-gw', 'udp'] as const;
const RTT_PINGS = 300;
/** ping -i 0.01: the pods' probes are 10 ms apart, and the paced baselines wait as long. */
const PING_GAP_MS = 10;
const BARE_RTTS = 1000;
const FLOOD_SECONDS = 2;
const FLOOD_PRELOAD = 32;
const FRAME_BYTES = 1400;
const STREAM_MS = 1500;
const READY_SIZES = [3, 16, 64];
/** Memory is read this long after lab-ready / spawn, once start-up garbage is collectable. */
const SETTLE_MS = 2000;
/** Below this many workers the PSS difference is lost in the noise of process churn. */
const MIN_MEMORY_WORKERS = 16;
const LAB_TIMEOUT_MS = 90_000;

type Figures = Record<string, number | string>;

interface Bare {
  bcRtt(count: number, size: number, gapMs?: number): Promise<number[]>;
  mpRtt(count: number, size: number, gapMs?: number): Promise<number[]>;
  bcStream(size: number, batch: number, ms: number): Promise<number>;
  mpStream(size: number, batch: number, ms: number): Promise<number>;
  spawn(n: number): Promise<number>;
  stopAll(): void;
}

interface Playground extends HTMLElement {
  run(host: string, command: string): Promise<string>;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `take` and stores its figures; an error becomes a string figure, never a failure. */
async function attempt(out: Figures, key: string, take: () => Promise<Figures>): Promise<void> {
  try {
    Object.assign(out, await take());
  } catch (err) {
    out[`${key}.error`] = String(err instanceof Error ? err.message : err).split('\n')[0];
  }
}

// ---- baselines ---------------------------------------------------------------------------

async function openBare(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/__bench/bare.html`);
  await page.waitForFunction(() => 'bare' in window);
  return page;
}

/** Calls window.bare[method](...args) in the baseline page. */
function bare<K extends keyof Bare>(
  page: Page,
  method: K,
  ...args: Parameters<Bare[K]>
): Promise<Awaited<ReturnType<Bare[K]>>> {
  return page.evaluate(
    ([m, a]) => {
      const b = (window as unknown as { bare: Record<string, (...x: unknown[]) => unknown> }).bare;
      return b[m](...a) as Awaited<ReturnType<Bare[K]>>;
    },
    [method, args as unknown[]] as const,
  );
}

async function baselineStreams(browser: Browser, origin: string): Promise<Figures> {
  const context = await browser.newContext();
  try {
    const page = await openBare(context, origin);
    const rtts = await bare(page, 'bcRtt', BARE_RTTS, 100);
    const paced = await bare(page, 'bcRtt', RTT_PINGS, 100, PING_GAP_MS);
    const mpRtts = await bare(page, 'mpRtt', BARE_RTTS, 100);
    const mpPaced = await bare(page, 'mpRtt', RTT_PINGS, 100, PING_GAP_MS);
    const batched = await bare(page, 'bcStream', FRAME_BYTES, 32, STREAM_MS);
    const single = await bare(page, 'bcStream', FRAME_BYTES, 1, STREAM_MS);
    const mpBatched = await bare(page, 'mpStream', FRAME_BYTES, 32, STREAM_MS);
    return {
      'bare.cross_origin_isolated': String(await page.evaluate(() => crossOriginIsolated)),
      'bare.bc_rtt_p50_us': round(percentile(rtts, 50)),
      'bare.bc_rtt_p99_us': round(percentile(rtts, 99)),
      'bare.bc_rtt_paced_p50_us': round(percentile(paced, 50)),
      'bare.bc_rtt_paced_p99_us': round(percentile(paced, 99)),
      'bare.mp_rtt_p50_us': round(percentile(mpRtts, 50)),
      'bare.mp_rtt_p99_us': round(percentile(mpRtts, 99)),
      'bare.mp_rtt_paced_p50_us': round(percentile(mpPaced, 50)),
      'bare.mp_rtt_paced_p99_us': round(percentile(mpPaced, 99)),
      'bare.bc_frames_per_s_batched32': round(batched),
      'bare.bc_frames_per_s_single': round(single),
      'bare.mp_frames_per_s_batched32': round(mpBatched),
    };
  } finally {
    await context.close();
  }
}

/** Spawn time of n idle bare workers and PSS per worker (kB), in a fresh context. */
async function baselineSpawn(browser: Browser, origin: string, n: number): Promise<Figures> {
  const context = await browser.newContext();
  try {
    const page = await openBare(context, origin);
    await sleep(SETTLE_MS);
    const before = browserPssKb();
    const ms = await bare(page, 'spawn', n);
    await sleep(SETTLE_MS);
    const after = browserPssKb();
    if (n < MIN_MEMORY_WORKERS) return { [`bare.spawn_${n}_ms`]: round(ms) };
    return {
      [`bare.spawn_${n}_ms`]: round(ms),
      [`bare.pss_${n}_total_kb`]: after - before,
      [`bare.pss_${n}_per_worker_kb`]: round((after - before) / n),
    };
  } finally {
    await context.close();
  }
}

// ---- the playground ------------------------------------------------------------------------

/**
 * Records (in the page) when data-testid="lab-ready" first appears, in ms since navigation.
 * A string, not a function: tsx would wrap a function's inner helpers in its own `__name`.
 */
const WATCH_LAB_READY = `
  window.labReadyAt = null;
  new MutationObserver((_, obs) => {
    if (window.labReadyAt === null && document.querySelector('[data-testid="lab-ready"]')) {
      window.labReadyAt = performance.now();
      obs.disconnect();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
`;

async function labReadyMs(page: Page): Promise<number> {
  await page.waitForFunction(
    () => (window as unknown as { labReadyAt: number | null }).labReadyAt !== null,
    undefined,
    { timeout: LAB_TIMEOUT_MS, polling: 50 },
  );
  return page.evaluate(() => (window as unknown as { labReadyAt: number }).labReadyAt);
}

let labSeq = 0;
const labId = (what: string) => `bench-${what}-${process.pid}-${labSeq++}`;

/** The page's own files, by URL path, as `dist/` holds them. */
function distFile(origin: string, url: string): string | null {
  if (!url.startsWith(origin + '/') || url.includes('/__bench/')) return null;
  const path = new URL(url).pathname;
  const file = DIST + (path.endsWith('/') ? path.slice(1) + 'index.html' : path.slice(1));
  return existsSync(file) ? file : null;
}

/**
 * Cold visit (fresh profile) to a 3-host lab: lab-ready time and what it requested; then,
 * once the service worker controls the page, a second visit to a new lab: the warm load.
 */
async function coldAndWarm(browser: Browser, origin: string): Promise<Figures> {
  const context = await browser.newContext();
  await context.addInitScript(WATCH_LAB_READY);
  try {
    const page = await context.newPage();
    const requested = new Set<string>();
    page.on('request', (req) => requested.add(req.url()));
    await page.goto(`${origin}/?lab=${labId('cold')}&nodes=3&backend=vxlan`);
    const cold = await labReadyMs(page);
    const isolated = await page.evaluate(() => crossOriginIsolated);

    let raw = 0;
    let gzip = 0;
    const names: string[] = [];
    const kinds: Record<string, number> = {};
    for (const url of requested) {
      const file = distFile(origin, url);
      if (!file || !/\.(js|css|wasm|html)$/.test(file)) continue;
      const bytes = readFileSync(file);
      const gz = gzipSync(bytes, { level: 9 }).length;
      raw += bytes.length;
      gzip += gz;
      names.push(file.slice(DIST.length));
      const ext = file.slice(file.lastIndexOf('.') + 1);
      kinds[ext] = (kinds[ext] ?? 0) + gz;
    }

    // Warm: the service worker has precached everything and controls the page.
    const controlled = await page
      .waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
        timeout: 30_000,
      })
      .then(() => true)
      .catch(() => false);
    await sleep(1000); // let the precache finish writing
    let fromSw = 0;
    let fromNet = 0;
    const countSource = (res: { fromServiceWorker(): boolean; url(): string }) => {
      if (distFile(origin, res.url())) {
        if (res.fromServiceWorker()) fromSw++;
        else fromNet++;
      }
    };
    page.on('response', countSource);
    await page.goto(`${origin}/?lab=${labId('warm')}&nodes=3&backend=vxlan`);
    const warm = await labReadyMs(page);
    page.off('response', countSource);
    return {
      'cold.cross_origin_isolated': String(isolated),
      'cold.ready_3_ms': round(cold),
      'first_view.files': names.sort().join(' '),
      'first_view.raw_kb': round(raw / 1024, 1),
      'first_view.gzip_kb': round(gzip / 1024, 1),
      'first_view.gzip_js_kb': round((kinds.js ?? 0) / 1024, 1),
      'first_view.gzip_wasm_kb': round((kinds.wasm ?? 0) / 1024, 1),
      'first_view.gzip_css_kb': round((kinds.css ?? 0) / 1024, 1),
      'first_view.gzip_html_kb': round((kinds.html ?? 0) / 1024, 1),
      'warm.service_worker_controlled': String(controlled),
      'warm.ready_3_ms': round(warm),
      'warm.responses_from_service_worker': fromSw,
      'warm.responses_from_network': fromNet,
    };
  } finally {
    await context.close();
  }
}

/**
 * Navigation -> lab-ready for an n-host lab, and PSS per host: the landing page (no lab, no
 * workers) is the "before"; the lab is a same-origin navigation, so the renderer stays and the
 * difference is the lab's. The service worker is blocked so its precache does not compete.
 */
async function readyAndMemory(browser: Browser, origin: string, n: number): Promise<Figures> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.addInitScript(WATCH_LAB_READY);
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await sleep(SETTLE_MS);
    const before = browserPssKb();
    await page.goto(`${origin}/?lab=${labId(`ready${n}`)}&nodes=${n}&backend=vxlan`);
    const ms = await labReadyMs(page);
    await sleep(SETTLE_MS);
    const after = browserPssKb();
    if (n < MIN_MEMORY_WORKERS) return { [`ready.${n}_ms`]: round(ms) };
    // Then what stays once every worker has collected its garbage: the live cost of a host,
    // apart from heap that V8 has not yet had a reason to reclaim.
    await Promise.all(
      page.workers().map((w) => w.evaluate(() => (globalThis as { gc?: () => void }).gc?.())),
    );
    await sleep(SETTLE_MS);
    const collected = browserPssKb();
    return {
      [`ready.${n}_ms`]: round(ms),
      [`ready.pss_${n}_total_kb`]: after - before,
      [`ready.pss_${n}_per_host_kb`]: round((after - before) / n),
      [`ready.pss_${n}_total_after_gc_kb`]: collected - before,
      [`ready.pss_${n}_per_host_after_gc_kb`]: round((collected - before) / n),
    };
  } finally {
    await context.close();
  }
}

/** A page with one <flannel-playground> (start="eager"); resolves once its `ready` fires. */
async function widget(
  context: BrowserContext,
  origin: string,
  nodes: number,
  backend: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/__bench/lab-page.html`);
  await page.evaluate(
    async ({ nodes, backend, lab, timeout }) => {
      await customElements.whenDefined('flannel-playground');
      const el = document.createElement('flannel-playground');
      el.id = 'lab';
      el.setAttribute('nodes', String(nodes));
      el.setAttribute('backend', backend);
      el.setAttribute('lab', lab);
      el.setAttribute('start', 'eager');
      el.setAttribute('height', '300');
      await new Promise<void>((resolve, reject) => {
        el.addEventListener('ready', () => resolve());
        el.addEventListener('error', (e) =>
          reject(new Error((e as unknown as CustomEvent<{ message: string }>).detail.message)),
        );
        setTimeout(() => reject(new Error(`no ready event after ${timeout} ms`)), timeout);
        document.body.append(el);
      });
    },
    { nodes, backend, lab: labId(`${backend}${nodes}`), timeout: LAB_TIMEOUT_MS },
  );
  return page;
}

function run(page: Page, host: string, command: string): Promise<string> {
  return page.evaluate(([h, c]) => (document.getElementById('lab') as Playground).run(h, c), [
    host,
    command,
  ] as const);
}

async function podAddress(page: Page, host: string): Promise<string> {
  const out = await run(page, host, 'ip netns exec pod1 ip -4 addr show eth0');
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  if (!m) throw new Error(`no pod address on ${host}: ${out.trim()}`);
  return m[1];
}

/** pod1@node1 -> pod1@node2 round trips (µs) from ping's own time= column. */
async function pingRtts(page: Page, dst: string): Promise<number[]> {
  // Warm-up: ARP / neighbour entries and the wire's learned ports.
  await run(page, 'node1', `ip netns exec pod1 ping -c 5 -i 0.01 ${dst}`);
  const out = await run(
    page,
    'node1',
    `ip netns exec pod1 ping -c ${RTT_PINGS} -i ${PING_GAP_MS / 1000} ${dst}`,
  );
  const rtts = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]) * 1000);
  if (rtts.length < RTT_PINGS / 2) throw new Error(`ping: ${out.trim().split('\n').pop()}`);
  return rtts;
}

/**
 * One-way pod-to-pod frames/s: `ping -f -l 32` (iputils' flood with 32 probes in flight, the
 * next sent as each reply lands) with 1,400-byte payloads for FLOOD_SECONDS. Each reply means
 * one frame crossed the stack each way.
 */
async function floodFramesPerSecond(page: Page, dst: string): Promise<number> {
  const out = await run(
    page,
    'node1',
    `ip netns exec pod1 ping -q -f -l ${FLOOD_PRELOAD} -s ${FRAME_BYTES} -w ${FLOOD_SECONDS} ${dst}`,
  );
  const m = /(\d+) packets transmitted, (\d+) received.*time (\d+)ms/.exec(out);
  if (!m) throw new Error(`ping flood: ${out.trim().split('\n').pop()}`);
  return Number(m[2]) / (Number(m[3]) / 1000);
}

async function rttAndFlood(browser: Browser, origin: string, backend: string): Promise<Figures> {
  const context = await browser.newContext();
  try {
    const page = await widget(context, origin, 2, backend);
    const dst = await podAddress(page, 'node2');
    const rtts = await pingRtts(page, dst);
    const figures: Figures = {
      [`ping_rtt.${backend}.p50_us`]: round(percentile(rtts, 50)),
      [`ping_rtt.${backend}.p99_us`]: round(percentile(rtts, 99)),
    };
    if (backend === 'vxlan')
      figures['flood.2_hosts_frames_per_s'] = round(await floodFramesPerSecond(page, dst));
    return figures;
  } finally {
    await context.close();
  }
}

async function flood64(browser: Browser, origin: string): Promise<Figures> {
  const context = await browser.newContext();
  try {
    const page = await widget(context, origin, 64, 'vxlan');
    const dst = await podAddress(page, 'node2');
    await run(page, 'node1', `ip netns exec pod1 ping -c 5 -i 0.01 ${dst}`);
    return { 'flood.64_hosts_frames_per_s': round(await floodFramesPerSecond(page, dst)) };
  } finally {
    await context.close();
  }
}

// ---- the section ---------------------------------------------------------------------------

function ratio(out: Figures, key: string, num: string, den: string, digits = 2): void {
  const a = out[num];
  const b = out[den];
  if (typeof a === 'number' && typeof b === 'number' && b > 0) out[key] = round(a / b, digits);
}

export async function benchBrowser(): Promise<Figures> {
  if (!existsSync(DIST + 'index.html') || !existsSync(DIST + 'embed.js')) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
  const server = await serveStatic(DIST, BENCH_PAGES);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // gc() in workers, for memory after collection.
    args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
  });
  const out: Figures = {};
  const started = performance.now();
  try {
    const origin = server.origin;
    await attempt(out, 'bare', () => baselineStreams(browser, origin));
    for (const n of READY_SIZES)
      await attempt(out, `bare.spawn_${n}`, () => baselineSpawn(browser, origin, n));
    await attempt(out, 'cold', () => coldAndWarm(browser, origin));
    for (const n of READY_SIZES)
      await attempt(out, `ready.${n}`, () => readyAndMemory(browser, origin, n));
    for (const backend of BACKENDS)
      await attempt(out, `ping_rtt.${backend}`, () => rttAndFlood(browser, origin, backend));
    await attempt(out, 'flood.64', () => flood64(browser, origin));
  } finally {
    await browser.close();
    await server.close();
  }

  // Three limits: a BroadcastChannel round trip back to back (the issue's yardstick), the same
  // paced as ping paces (idle threads wake slower), and a paced MessagePort round trip (the path
  // two hosts of one tab now take).
  for (const b of BACKENDS) {
    ratio(out, `ping_rtt.${b}.p50_ratio`, `ping_rtt.${b}.p50_us`, 'bare.bc_rtt_p50_us');
    ratio(out, `ping_rtt.${b}.p99_ratio`, `ping_rtt.${b}.p99_us`, 'bare.bc_rtt_p99_us');
    ratio(out, `ping_rtt.${b}.p50_vs_bc_paced`, `ping_rtt.${b}.p50_us`, 'bare.bc_rtt_paced_p50_us');
    ratio(out, `ping_rtt.${b}.p50_vs_mp_paced`, `ping_rtt.${b}.p50_us`, 'bare.mp_rtt_paced_p50_us');
  }
  ratio(
    out,
    'flood.2_hosts_vs_bare_batched',
    'flood.2_hosts_frames_per_s',
    'bare.bc_frames_per_s_batched32',
    4,
  );
  ratio(
    out,
    'flood.2_hosts_vs_bare_single',
    'flood.2_hosts_frames_per_s',
    'bare.bc_frames_per_s_single',
    4,
  );
  ratio(out, 'flood.64_vs_2_hosts', 'flood.64_hosts_frames_per_s', 'flood.2_hosts_frames_per_s');
  for (const n of READY_SIZES) {
    ratio(out, `ready.${n}_ratio`, `ready.${n}_ms`, `bare.spawn_${n}_ms`, 1);
    ratio(
      out,
      `ready.pss_${n}_per_host_ratio`,
      `ready.pss_${n}_per_host_kb`,
      `bare.pss_${n}_per_worker_kb`,
    );
  }
  // The marginal cost of a host: PSS slope between the 16- and 64-host labs.
  const [p16, p64] = [out['ready.pss_16_total_kb'], out['ready.pss_64_total_kb']];
  const [b16, b64] = [out['bare.pss_16_total_kb'], out['bare.pss_64_total_kb']];
  if (typeof p16 === 'number' && typeof p64 === 'number') {
    out['memory.per_host_kb_slope_16_64'] = round((p64 - p16) / 48);
    const [g16, g64] = [
      out['ready.pss_16_total_after_gc_kb'],
      out['ready.pss_64_total_after_gc_kb'],
    ];
    if (typeof g16 === 'number' && typeof g64 === 'number') {
      out['memory.per_host_kb_slope_16_64_after_gc'] = round((g64 - g16) / 48);
    }
    if (typeof b16 === 'number' && typeof b64 === 'number') {
      out['memory.bare_per_worker_kb_slope_16_64'] = round((b64 - b16) / 48);
      ratio(
        out,
        'memory.per_host_slope_ratio',
        'memory.per_host_kb_slope_16_64',
        'memory.bare_per_worker_kb_slope_16_64',
      );
    }
  }
  ratio(
    out,
    'flood.2_hosts_vs_bare_mp_batched',
    'flood.2_hosts_frames_per_s',
    'bare.mp_frames_per_s_batched32',
    4,
  );
  out['seconds'] = round((performance.now() - started) / 1000, 1);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchBrowser(), null, 2));
}
