// Issue 10's faults, in the page: netem on a host's NIC shows on a ping's RTT and in the
// topology; the topology cuts and restores a host's cable (NO-CARRIER, the ping fails, the
// lab says what is wrong); etcd made unreachable and brought back; systemctl stop flanneld.
import { test, expect } from '@playwright/test';
import { openLab, run as runWrapped, terminal } from './helpers.ts';
import type { Page } from '@playwright/test';

/** A line's output with the narrow terminal's wrapped rows joined. */
const run = async (page: Page, host: string, line: string) =>
  (await runWrapped(page, host, line)).replace(/\n/g, '');

const NODE2 = '172.16.112.133';

test('netem delay on the RTT, a cut cable, etcd unreachable, flanneld stopped', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = await openLab(page, 'lab=e2e-faults');
  terminal(page, 'node1');

  await run(page, 'node1', 'tc qdisc add dev eth0 root netem delay 100ms');
  expect(await run(page, 'node1', 'tc qdisc show dev eth0')).toBe(
    'qdisc netem 8001: root refcnt 2 limit 1000 delay 100ms',
  );
  const ping = await run(page, 'node1', `ping -c 2 -i 0.3 ${NODE2}`);
  const rtts = [...ping.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  expect(rtts).toHaveLength(2);
  for (const rtt of rtts) expect(rtt).toBeGreaterThanOrEqual(100);
  const marked = page.locator('[data-testid="qdisc"][data-host="node1"]');
  await expect(marked).toHaveText('eth0: netem delay 100ms');
  expect(await run(page, 'node1', 'tc -s qdisc show dev eth0')).toMatch(
    / Sent \d+ bytes \d+ pkt \(dropped 0, overlimits 0 requeues 0\) /,
  );
  await run(page, 'node1', 'tc qdisc del dev eth0 root');
  await expect(marked).toHaveCount(0);

  // The cable, from the topology, by keyboard.
  const cable = page.locator('[data-testid="cable"][data-host="node2"]');
  await cable.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="cable-cut"][data-host="node2"]')).toBeVisible();
  await expect(cable).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('lab-trouble')).toContainText('cable cut');
  await page.locator('[data-testid="host-tab"][data-host="node2"]').click();
  expect(await run(page, 'node2', 'ip -br link show eth0')).toMatch(
    /^eth0 +DOWN +\S+ ?<NO-CARRIER,BROADCAST,MULTICAST,UP>$/,
  );
  await page.locator('[data-testid="host-tab"][data-host="node1"]').click();
  expect(await run(page, 'node1', `ping -c 1 -W 1 ${NODE2}`)).toContain('100% packet loss');
  await cable.click();
  await expect(page.locator('[data-testid="cable-cut"]')).toHaveCount(0);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 20_000 });
  expect(await run(page, 'node1', `ping -c 1 -W 2 ${NODE2}`)).toContain(' 0% packet loss');

  // etcd unreachable: etcdctl times out, the data path works; then it is back.
  await page.getByTestId('kv-reach').click();
  await expect(page.getByTestId('kv-unreachable')).toBeVisible();
  expect(await run(page, 'node1', 'etcdctl get /coreos.com/network/config')).toContain(
    'context deadline exceeded',
  );
  expect(await run(page, 'node1', `ping -c 1 -W 2 ${NODE2}`)).toContain(' 0% packet loss');
  await page.getByTestId('kv-reach').click();
  await expect(page.getByTestId('kv-unreachable')).toHaveCount(0);
  expect(await run(page, 'node1', 'etcdctl get /coreos.com/network/config')).toContain(
    '10.244.0.0/16',
  );

  // A stopped daemon shows in the topology and in the lab's trouble line.
  await run(page, 'node1', 'systemctl stop flanneld');
  expect(await run(page, 'node1', 'systemctl is-active flanneld')).toBe('inactive');
  await expect(page.getByTestId('lab-trouble')).toContainText('node1: flanneld stopped');
  await expect(page.locator('[data-testid="topology-host"][data-host="node1"]')).toContainText(
    'flanneld stopped',
  );
  await run(page, 'node1', 'systemctl start flanneld');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 20_000 });
  expect(problems).toEqual([]);
});

test('a host powered off and on: its lease stays, it boots back into its subnet', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = await openLab(page, 'lab=e2e-power');
  // The topology shows FLANNEL_SUBNET (10.244.N.1/24); the lease is 10.244.N.0/24.
  const subnet = async () => {
    const text = await page
      .locator('[data-testid="topology-host"][data-host="node3"]')
      .textContent();
    const n = /10\.244\.(\d+)\.1\/24/.exec(text ?? '')?.[1];
    return n === undefined ? undefined : `10.244.${n}.0/24`;
  };
  const before = await subnet();
  expect(before).toBeDefined();

  const power = page.locator('[data-testid="power"][data-host="node3"]');
  await power.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('lab-trouble')).toContainText('node3: powered off');
  await expect(power).toHaveAttribute('aria-pressed', 'true');
  // The others keep the route and the lease: flanneld does not hear of a switched-off VM.
  terminal(page, 'node1');
  expect(await run(page, 'node1', 'ip route')).toContain(`${before} via`);
  expect(
    await run(page, 'node1', 'etcdctl get --prefix --keys-only /coreos.com/network/subnets'),
  ).toContain(before!.replace('/', '-'));

  await power.click();
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  expect(await subnet()).toBe(before);
  expect(problems).toEqual([]);
});
