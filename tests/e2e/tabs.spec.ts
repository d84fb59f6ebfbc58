// Issue 4's acceptance: labs that span browser tabs. Two tabs with different lab ids never see
// each other's frames; two tabs with the same lab id share one network and one etcd, the
// joining tab adding hosts node4..6.
import { test, expect, type Page } from '@playwright/test';
import { openLab as openLabWithin, run, terminal, typeLine } from './helpers.ts';

const READY_MS = 45_000;

test.use({ viewport: { width: 1600, height: 1000 } });
test.setTimeout(120_000);

const openLab = (page: Page, query: string) => openLabWithin(page, query, READY_MS);

async function hostNames(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="host-tab"]')
    .evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-host') ?? ''));
}

async function podAddress(page: Page, host: string): Promise<string> {
  const out = await run(page, host, 'ip netns exec pod1 ip -4 -br addr show eth0');
  const addr = out.match(/(10\.244\.\d+\.\d+)\/24/)?.[1];
  expect(addr, `${host}'s pod address in: ${out}`).toBeTruthy();
  return addr!;
}

/** Starts `tcpdump -i eth0 -n -c 1` on a host and waits until it listens. */
async function startCapture(page: Page, host: string): Promise<void> {
  await page.bringToFront();
  await typeLine(page, host, 'tcpdump -i eth0 -n -c 1');
  await expect(terminal(page, host)).toContainText('listening on eth0');
}

test('two tabs with different lab ids do not see each other’s frames', async ({ page }) => {
  const b = await page.context().newPage();
  const problemsA = await openLab(page, 'lab=e2e-tabs-one');
  const problemsB = await openLab(b, 'lab=e2e-tabs-two');
  // Each lab is its own: both run node1..3 with the same addresses.
  expect(await hostNames(page)).toEqual(['node1', 'node2', 'node3']);
  expect(await hostNames(b)).toEqual(['node1', 'node2', 'node3']);

  await startCapture(page, 'node1');
  await b.bringToFront();
  const target = await podAddress(b, 'node3');
  const ping = await run(b, 'node2', `ip netns exec pod1 ping -c 3 -i 0.2 ${target}`);
  expect(ping).toContain('3 packets transmitted, 3 received, 0% packet loss');
  // Broadcasts too: node2 asks for an address nobody in lab two has.
  await run(b, 'node2', 'ping -c 1 -W 1 172.16.112.200');
  await page.bringToFront();
  await page.waitForTimeout(2000);
  const t = terminal(page, 'node1');
  await expect(t).not.toContainText('packet captured');
  await page.keyboard.press('Control+c');
  await expect(t).toContainText('0 packets captured');
  expect(problemsA).toEqual([]);
  expect(problemsB).toEqual([]);
});

test('two tabs with the same lab id share one network and one etcd', async ({ page }) => {
  const b = await page.context().newPage();
  const problemsA = await openLab(page, 'lab=e2e-tabs-shared');
  const problemsB = await openLab(b, 'lab=e2e-tabs-shared');
  expect(await hostNames(page)).toEqual(['node1', 'node2', 'node3']);
  // The joining tab adds hosts; it does not run node1..3 a second time.
  expect(await hostNames(b)).toEqual(['node4', 'node5', 'node6']);
  const eth0 = await run(b, 'node4', 'ip -4 -br addr show eth0');
  expect(eth0).toMatch(/^eth0 +UP +172\.16\.112\.131\/24/);

  // One etcd: six subnet leases and six registered hosts, whichever tab asks.
  const subnets = await run(
    b,
    'node4',
    'etcdctl get --prefix /coreos.com/network/subnets --keys-only',
  );
  expect(subnets.match(/\/coreos\.com\/network\/subnets\/10\.244\.\d+\.0-24/g)).toHaveLength(6);
  const minions = await run(page, 'node1', 'etcdctl get --prefix /registry/minions/ --keys-only');
  expect(minions.match(/\/registry\/minions\/node\d/g)).toEqual(
    ['node1', 'node2', 'node3', 'node4', 'node5', 'node6'].map((n) => `/registry/minions/${n}`),
  );

  // One wire: tab B's node4 looks for node5 (ARP, a broadcast) as its pod pings node5's pod.
  await startCapture(page, 'node1');
  await b.bringToFront();
  const pod5 = await podAddress(b, 'node5');
  const ping = await run(b, 'node4', `ip netns exec pod1 ping -c 2 -i 0.2 ${pod5}`);
  expect(ping).toContain('2 received');
  await page.bringToFront();
  const t = terminal(page, 'node1');
  await expect(t).toContainText('1 packet captured');
  await expect(t).toContainText(
    /ARP, Request who-has 172\.16\.112\.13[24] tell 172\.16\.112\.13[124]/,
  );

  // Pod to pod across the tabs: tab B's pod reaches tab A's, the subnets from the shared etcd.
  const pod1 = await podAddress(page, 'node1');
  await b.bringToFront();
  const across = await run(b, 'node4', `ip netns exec pod1 ping -c 3 -i 0.2 ${pod1}`);
  expect(across.match(/ttl=62/g)).toHaveLength(3);
  expect(across).toContain('3 packets transmitted, 3 received, 0% packet loss');
  expect(problemsA).toEqual([]);
  expect(problemsB).toEqual([]);
});
