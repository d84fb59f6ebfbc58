// Issue 4's interactive features: files to the user's machine (`download`, capture buttons),
// pod shells, the live topology with frames flashing along links, and the lab controls.
import { test, expect, type Download, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { run, screenText, terminal, typeLine, watch } from './helpers.ts';

const READY_MS = 30_000;

/** Opens a lab; returns what went wrong on the page so far (console errors, other origins). */
async function openLab(page: Page, query: string): Promise<() => string[]> {
  const problems = watch(page);
  await page.goto(`/?${query}`);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: READY_MS });
  // Requests to the server under test are not to another origin, whatever its port.
  const own = `request to another origin: ${test.info().project.use.baseURL ?? ''}`;
  return () => problems.filter((p) => !p.startsWith(own));
}

/**
 * Waits until `clear` has run: the screen holds nothing but a bare prompt, so the terminal
 * takes keys again. (A bare prompt on the last line alone may still be the one before it.)
 */
async function waitCleared(page: Page, host: string) {
  await expect.poll(async () => (await screenText(page, host)).trim()).toBe(`root@${host}:~#`);
}

async function podIp(page: Page, host: string): Promise<string> {
  const addr = await run(page, host, 'ip netns exec pod1 ip -4 -br addr show eth0');
  const ip = addr.replace(/\n/g, '').match(/(10\.244\.\d+\.\d+)\/24/)?.[1];
  expect(ip).toBeTruthy();
  return ip!;
}

/** Saves a download and decodes it with tshark: one `vni<TAB>icmp types` line per frame. */
async function tshark(download: Download, name: string): Promise<string[]> {
  mkdirSync('test-results/downloads', { recursive: true });
  const path = `test-results/downloads/${name}`;
  await download.saveAs(path);
  const malformed = execFileSync('/usr/bin/tshark', [
    '-r',
    path,
    '-Y',
    '_ws.malformed || _ws.expert.severity >= "error"',
  ]);
  expect(malformed.toString()).toBe('');
  return execFileSync('/usr/bin/tshark', [
    '-r',
    path,
    '-d',
    'udp.port==8472,vxlan',
    '-T',
    'fields',
    '-e',
    'vxlan.vni',
    '-e',
    'icmp.type',
  ])
    .toString()
    .trim()
    .split('\n');
}

/**
 * Starts a nested shell (`ip netns exec pod1 bash`, `nsenter ...`): the rest of a typed line
 * would belong to the outer shell, so `run`'s closing marker cannot follow it.
 */
async function enterShell(page: Page, host: string, line: string, netns: string) {
  await typeLine(page, host, line);
  const tab = page.locator(`[data-testid="host-tab"][data-host="${host}"]`);
  await expect(tab.getByTestId('tab-netns')).toHaveText(`netns ${netns}`);
}

test.use({ viewport: { width: 1600, height: 1000 } });

test('tcpdump -w during a pod ping, then `download` hands the pcap to the browser', async ({
  page,
}) => {
  const problems = await openLab(page, 'lab=e2e-download');
  const pod2 = await podIp(page, 'node2');
  // Warm the underlay ARP caches so that the 4 frames captured are the VXLAN ones.
  await run(page, 'node3', `ip netns exec pod1 ping -c 1 ${pod2}`);
  await typeLine(page, 'node2', 'tcpdump -i eth0 -c 4 -w /tmp/x.pcap');
  await expect(terminal(page, 'node2')).toContainText('listening on eth0');
  await run(page, 'node3', `ip netns exec pod1 ping -c 2 -i 0.2 ${pod2}`);
  await expect(terminal(page, 'node2')).toContainText('4 packets captured');
  const saved = page.waitForEvent('download');
  await run(page, 'node2', 'download /tmp/x.pcap');
  const download = await saved;
  expect(download.suggestedFilename()).toBe('x.pcap');
  const frames = await tshark(download, 'x.pcap');
  expect(frames).toEqual(['1\t8', '1\t0', '1\t8', '1\t0']);
  // Errors as a shell tool prints them.
  expect(await run(page, 'node2', 'download /tmp/nope')).toBe(
    'download: /tmp/nope: No such file or directory',
  );
  expect(problems()).toEqual([]);
});

test('a pod shell: ip netns exec pod1 bash, the tab says where, exit leaves', async ({ page }) => {
  const problems = await openLab(page, 'lab=e2e-podshell');
  const pod2 = await podIp(page, 'node2');
  await enterShell(page, 'node2', 'ip netns exec pod1 bash', 'pod1');
  const tab = page.locator('[data-testid="host-tab"][data-host="node2"]');
  const addr = await run(page, 'node2', 'ip addr');
  expect(addr).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP>/m);
  expect(addr).toMatch(/^\d+: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP>/m);
  expect(addr).toContain(`inet ${pod2}/24`);
  expect(addr).not.toContain('cni0');
  expect(await run(page, 'node2', 'ip route')).toMatch(/^default via 10\.244\.\d+\.1 dev eth0/m);
  // The prompt stays bash's, as on a real host.
  expect(await screenText(page, 'node2')).toContain('root@node2:~# ');
  await typeLine(page, 'node2', 'exit');
  await expect(tab.getByTestId('tab-netns')).toHaveCount(0);
  expect(await run(page, 'node2', 'ip -br link show cni0')).toMatch(/^cni0 +UP/);
  // Tab completion of pod names after `ip netns exec `.
  await typeLine(page, 'node2', 'clear');
  await waitCleared(page, 'node2');
  await page.keyboard.type('ip netns exec po');
  await page.keyboard.press('Tab');
  await expect.poll(() => screenText(page, 'node2')).toContain('ip netns exec pod1 ');
  await page.keyboard.press('Control+c');
  // nsenter reaches the same namespace.
  await enterShell(page, 'node2', 'nsenter --net=/var/run/netns/pod1', 'pod1');
  await typeLine(page, 'node2', 'exit');
  await expect(tab.getByTestId('tab-netns')).toHaveCount(0);
  // Clicking node1's pod in the topology opens a shell in it in node1's terminal.
  await page.locator('[data-testid="pod"][data-host="node1"]').click();
  const tab1 = page.locator('[data-testid="host-tab"][data-host="node1"]');
  await expect(tab1).toHaveAttribute('aria-selected', 'true');
  await expect(tab1.getByTestId('tab-netns')).toHaveText('netns pod1');
  await expect(terminal(page, 'node1')).toContainText('ip netns exec pod1 bash');
  expect(await run(page, 'node1', 'ip -br link')).toMatch(/^lo +UNKNOWN/m);
  expect(problems()).toEqual([]);
});

test('frames flash along the links they cross; captures from the topology download', async ({
  page,
}) => {
  const problems = await openLab(page, 'lab=e2e-flash');
  const pod3 = await podIp(page, 'node3');
  const capture = page.locator(
    '[data-testid="capture"][data-host="node2"][data-if="eth0"][data-netns=""]',
  );
  await capture.click();
  await expect(capture).toHaveAttribute('aria-pressed', 'true');
  await typeLine(page, 'node2', `ip netns exec pod1 ping -i 0.2 ${pod3}`);
  await expect(terminal(page, 'node2')).toContainText('icmp_seq=2');
  const flow = (host: string, link: string) =>
    page.locator(`[data-testid="flow"][data-host="${host}"][data-link="${link}"]`);
  // node2: pod -> cni0 -> flannel.1 -> eth0 -> wire; node3 the same way back up.
  for (const host of ['node2', 'node3']) {
    for (const link of ['pod', 'cni0-flannel', 'flannel-eth0', 'wire']) {
      await expect(flow(host, link)).toHaveCount(1, { timeout: 5_000 });
    }
  }
  await expect(flow('node2', 'pod')).toHaveClass(/inner/);
  await expect(flow('node2', 'wire')).toHaveClass(/outer/);
  await page.keyboard.press('Control+c');
  await expect(terminal(page, 'node2')).toContainText('packets transmitted');
  // Quiet again: the flashes stop.
  await expect(flow('node2', 'wire')).toHaveCount(0, { timeout: 5_000 });
  const saved = page.waitForEvent('download');
  await capture.click();
  const download = await saved;
  expect(download.suggestedFilename()).toBe('node2-eth0.pcap');
  const frames = await tshark(download, 'node2-eth0.pcap');
  expect(frames.filter((f) => f === '1\t8').length).toBeGreaterThanOrEqual(2);
  expect(frames.filter((f) => f === '1\t0').length).toBeGreaterThanOrEqual(2);
  expect(problems()).toEqual([]);
});

test('add a host, remove it (asked first; its lease is revoked), switch the backend to host-gw', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = await openLab(page, 'lab=e2e-controls');
  await page.getByTestId('add-host').click();
  const tab4 = page.locator('[data-testid="host-tab"][data-host="node4"]');
  await expect(tab4).toBeVisible();
  await expect(tab4).toContainText('172.16.112.131');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: READY_MS });
  const leases = () =>
    run(page, 'node1', 'etcdctl get --prefix /coreos.com/network/subnets --keys-only');
  expect((await leases()).match(/subnets\/10\.244\.\d+\.0-24/g)?.length).toBe(4);
  const pod4 = await podIp(page, 'node4');
  expect(await run(page, 'node1', `ip netns exec pod1 ping -c 1 ${pod4}`)).toContain('ttl=62');
  const subnet4 = (await run(page, 'node4', 'cat /run/flannel/subnet.env')).match(
    /FLANNEL_SUBNET=(10\.244\.\d+)\.1\/24/,
  )?.[1];
  expect(subnet4).toBeTruthy();
  expect(await run(page, 'node1', 'ip route')).toContain(`${subnet4}.0/24 via`);
  // Removing asks first, as Reset does: cancelled, nothing happens.
  const remove4 = page.locator('[data-testid="remove-host"][data-host="node4"]');
  const questions: string[] = [];
  page.once('dialog', (d) => (questions.push(d.message()), void d.dismiss()));
  await remove4.click();
  await expect.poll(() => questions.length).toBe(1);
  expect(questions[0]).toContain('Remove node4?');
  await expect(tab4).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await remove4.click();
  await expect(tab4).toHaveCount(0);
  // The lease is revoked, as when a node leaves; the other hosts' flanneld drop their routes.
  await expect
    .poll(async () => (await leases()).match(/subnets\/10\.244\.\d+\.0-24/g)?.length)
    .toBe(3);
  expect(await leases()).not.toContain(`${subnet4}.0-24`);
  await expect.poll(() => run(page, 'node1', 'ip route')).not.toContain(`${subnet4}.0/24`);
  expect(await run(page, 'node1', 'ip neigh show dev flannel.1')).not.toContain(subnet4);
  expect(await run(page, 'node1', 'bridge fdb show dev flannel.1')).not.toContain('172.16.112.131');

  await page.getByTestId('backend-select').selectOption('host-gw');
  await expect(page.getByTestId('backend')).toHaveText('host-gw');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: READY_MS });
  const config = await run(
    page,
    'node1',
    'etcdctl get /coreos.com/network/config --print-value-only',
  );
  // Long lines wrap on screen.
  expect(config.replace(/\n/g, '')).toBe(
    '{"Network":"10.244.0.0/16","SubnetLen":24,"Backend":{"Type":"host-gw"}}',
  );
  await expect
    .poll(() => run(page, 'node2', 'ip route'), { timeout: 15_000 })
    .toMatch(/10\.244\.\d+\.0\/24 via 172\.16\.112\.\d+ dev eth0/);
  // flanneld deleted the vxlan device when it started with host-gw (real flannel leaves it).
  expect(await run(page, 'node2', 'ip -br link show flannel.1')).toContain(
    'Device "flannel.1" does not exist.',
  );
  const pod3 = await podIp(page, 'node3');
  const ping = await run(page, 'node2', `ip netns exec pod1 ping -c 2 -i 0.2 ${pod3}`);
  expect(ping).toContain('2 received');
  expect(ping).toContain('ttl=62');
  expect(problems()).toEqual([]);
});

test('readonly hides the controls and capture buttons', async ({ page }) => {
  await openLab(page, 'lab=e2e-ro&readonly=1');
  await expect(page.locator('[data-testid="topology-host"]')).toHaveCount(3);
  await expect(page.getByTestId('add-host')).toHaveCount(0);
  await expect(page.getByTestId('backend-select')).toHaveCount(0);
  await expect(page.getByTestId('capture')).toHaveCount(0);
  await expect(page.getByTestId('remove-host')).toHaveCount(0);
});

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];
for (const size of SIZES) {
  for (const theme of ['light', 'dark'] as const) {
    test(`screenshot: traffic and a pod shell, ${size.name} ${theme}`, async ({ page }) => {
      mkdirSync('tests/e2e/screenshots', { recursive: true });
      await page.setViewportSize({ width: size.width, height: size.height });
      await openLab(page, `lab=e2e-ishot-${size.name}-${theme}&theme=${theme}`);
      const pod3 = await podIp(page, 'node3');
      await page
        .locator('[data-testid="capture"][data-host="node2"][data-if="eth0"][data-netns=""]')
        .click();
      await enterShell(page, 'node2', 'ip netns exec pod1 bash', 'pod1');
      await typeLine(page, 'node2', `ping -i 0.2 ${pod3}`);
      await expect(terminal(page, 'node2')).toContainText('icmp_seq=3');
      await expect(page.locator('[data-testid="flow"][data-host="node2"]').first()).toBeAttached();
      await page.screenshot({
        path: `tests/e2e/screenshots/interactive-${size.name}-${theme}.png`,
      });
      await page.keyboard.press('Control+c');
    });
  }
}
