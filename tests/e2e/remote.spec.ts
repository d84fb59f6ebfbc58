// Issue 15: one lab across browsers. Three separate Chromium processes (not tabs of one), one
// host each, on one lab over a real etcd (Debian's etcd-server, started here): their hosts meet
// over WebRTC data channels signalled through etcd, pods ping across, and tcpdump in one
// browser shows the VXLAN frames of another.
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { EtcdCluster, etcdInstalled } from '../unit/etcd-cluster.ts';
import { run, screenText, terminal, typeLine, watch } from './helpers.ts';

const port = Number(process.env.E2E_PORT ?? 4173);
const ORIGIN = `http://127.0.0.1:${port}`;
const cluster = new EtcdCluster({ size: 1, basePort: 24370, cors: ORIGIN });
const browsers: Browser[] = [];

test.skip(!etcdInstalled(), "needs Debian's etcd-server (scripts/ensure-tools.sh)");
test.beforeAll(async () => {
  await cluster.start();
});
test.afterAll(async () => {
  for (const b of browsers) await b.close();
  await cluster.destroy();
});

/** A browser of its own (its own process and profile) running one host of the lab. */
async function joinLab(): Promise<{ page: Page; problems: string[] }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // WebRTC between browsers of one machine goes over loopback.
    args: [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection'],
  });
  browsers.push(browser);
  const page = await (await browser.newContext({ baseURL: ORIGIN })).newPage();
  const problems = watch(page);
  await page.goto(`/?lab=e2e-rtc&nodes=1&etcd=${cluster.endpoints[0]}`);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  return { page, problems };
}

const podAddress = async (page: Page, host: string) =>
  (await run(page, host, 'ip netns exec pod1 ip -4 -br addr show eth0')).match(
    /(10\.244\.\d+\.\d+)\/24/,
  )?.[1];

test('three browsers, one host each, form one lab over WebRTC', async () => {
  test.setTimeout(120_000);
  const a = await joinLab();
  const b = await joinLab();
  const c = await joinLab();
  // Each browser runs its own host and shows the other two as remote, connected.
  for (const [tab, own] of [
    [a, 'node1'],
    [b, 'node2'],
    [c, 'node3'],
  ] as const) {
    await expect(terminal(tab.page, own)).toBeVisible();
    const remote = tab.page.getByTestId('remote-host');
    await expect(remote).toHaveCount(2);
    for (const el of await remote.all()) {
      await expect(el).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
    }
  }
  // node1's flanneld routes to the subnets leased in the other browsers.
  const routes = await run(a.page, 'node1', 'ip route');
  expect(
    routes.match(/10\.244\.\d+\.0\/24 via 10\.244\.\d+\.0 dev flannel\.1 onlink/g),
  ).toHaveLength(2);

  const pod2 = await podAddress(b.page, 'node2');
  const pod3 = await podAddress(c.page, 'node3');
  const ping = await run(a.page, 'node1', `ip netns exec pod1 ping -c 3 -i 0.2 ${pod2}`);
  expect(ping).toContain('3 packets transmitted, 3 received, 0% packet loss');
  expect(ping.match(/ttl=62/g)).toHaveLength(3);

  // tcpdump in browser B sees the VXLAN frames node3 (browser C) sends it.
  await typeLine(b.page, 'node2', 'tcpdump -i eth0 -n -c 2 udp port 8472');
  await expect(terminal(b.page, 'node2')).toContainText('listening on eth0');
  const back = await run(c.page, 'node3', `ip netns exec pod1 ping -c 1 ${pod2}`);
  expect(back).toContain('1 received');
  await expect(terminal(b.page, 'node2')).toContainText('2 packets captured');
  const screen = (await screenText(b.page, 'node2'))
    .split('\n')
    .map((r) => r.trimEnd())
    .join('');
  expect(screen).toMatch(
    /172\.16\.112\.\d+\.\d+ > 172\.16\.112\.\d+\.8472: ?OTV, flags \[I\] \(0x08\), overlay 0, instance 1/,
  );

  // For the note: round trips and frames per second across browsers (two wire frames a ping).
  const rtt = await run(a.page, 'node1', `ip netns exec pod1 ping -c 20 -i 0.05 -q ${pod3}`);
  console.info(`WebRTC ping: ${rtt.split('\n').find((l) => l.startsWith('rtt'))}`);
  const started = Date.now();
  const flood = await run(
    a.page,
    'node1',
    `ip netns exec pod1 ping -f -l 32 -c 5000 -q ${pod3}`,
    60_000,
  );
  const seconds = (Date.now() - started) / 1000;
  const received = Number(flood.match(/(\d+) received/)?.[1] ?? 0);
  console.info(
    `WebRTC flood: ${received}/5000 replies in ${seconds} s, ${Math.round((2 * received) / seconds)} wire frames/s`,
  );
  expect(received).toBeGreaterThan(2500);

  const etcd = `request to another origin: ${cluster.endpoints[0]}/`;
  for (const tab of [a, b, c]) expect(tab.problems.filter((p) => !p.startsWith(etcd))).toEqual([]);
});
