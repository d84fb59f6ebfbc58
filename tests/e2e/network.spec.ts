// Issue 4's acceptance: the lab in the browser carries real traffic between host workers.
import { test, expect } from '@playwright/test';
import { openLab, run, screenText, terminal, typeLine } from './helpers.ts';

test.use({ viewport: { width: 1600, height: 1000 } });

test('vxlan: node2 pings node3 pod to pod with ttl=62, and tcpdump shows OTV', async ({ page }) => {
  const problems = await openLab(page, 'lab=e2e-vxlan');
  const env = await run(page, 'node2', 'cat /run/flannel/subnet.env');
  expect(env).toContain('FLANNEL_NETWORK=10.244.0.0/16');
  expect(env).toMatch(/FLANNEL_SUBNET=10\.244\.\d+\.1\/24/);
  expect(env).toContain('FLANNEL_MTU=1450');
  const keys = await run(
    page,
    'node2',
    'etcdctl get --prefix /coreos.com/network/subnets --keys-only',
  );
  expect(keys.match(/\/coreos\.com\/network\/subnets\/10\.244\.\d+\.0-24/g)?.length).toBe(3);
  // node3's pod address, from node3's own view.
  const addr = await run(page, 'node3', 'ip netns exec pod1 ip -4 -br addr show eth0');
  const target = addr.match(/(10\.244\.\d+\.\d+)\/24/)?.[1];
  expect(target).toBeTruthy();
  const ping = await run(page, 'node2', `ip netns exec pod1 ping -c 3 -i 0.2 ${target}`);
  expect(ping.match(/ttl=62/g)?.length).toBe(3);
  expect(ping).toContain('3 packets transmitted, 3 received, 0% packet loss');
  // A capture on node2's eth0 while node3's pod pings node2's pod: VXLAN (OTV) both ways.
  const own = await run(page, 'node2', 'ip netns exec pod1 ip -4 -br addr show eth0');
  const pod2 = own.match(/(10\.244\.\d+\.\d+)\/24/)?.[1];
  await typeLine(page, 'node2', 'tcpdump -i eth0 -n -c 2 udp port 8472');
  await expect(terminal(page, 'node2')).toContainText('listening on eth0');
  await run(page, 'node3', `ip netns exec pod1 ping -c 1 ${pod2}`);
  const t = terminal(page, 'node2');
  await expect(t).toContainText('2 packets captured');
  // Long lines wrap on screen: match across rows.
  const screen = (await screenText(page, 'node2'))
    .split('\n')
    .map((r) => r.trimEnd())
    .join('');
  expect(
    screen.match(/> 172\.16\.112\.\d+\.8472: ?OTV, flags \[I\] \(0x08\), overlay 0, instance 1/g)
      ?.length,
  ).toBe(2);
  expect(screen).toContain(`ICMP echo request`);
  expect(problems).toEqual([]);
});

for (const backend of ['host-gw', 'udp'] as const) {
  test(`${backend}: routes as flannel programs them and pods reach each other`, async ({
    page,
  }) => {
    const problems = await openLab(page, `lab=e2e-${backend}&backend=${backend}`);
    const routes = await run(page, 'node2', 'ip route');
    if (backend === 'host-gw')
      expect(routes).toMatch(/10\.244\.\d+\.0\/24 via 172\.16\.112\.\d+ dev eth0/);
    else expect(routes).toContain('10.244.0.0/16 dev flannel0');
    const addr = await run(page, 'node1', 'ip netns exec pod1 ip -4 -br addr show eth0');
    const target = addr.match(/(10\.244\.\d+\.\d+)\/24/)?.[1];
    const ping = await run(page, 'node2', `ip netns exec pod1 ping -c 2 -i 0.2 ${target}`);
    expect(ping).toContain(`ttl=${backend === 'udp' ? 60 : 62}`);
    expect(ping).toContain('2 received');
    expect(problems).toEqual([]);
  });
}

test('Ctrl-C stops ping with its summary; errors print as the real tools do', async ({ page }) => {
  const problems = await openLab(page, 'lab=e2e-ctrlc');
  const t = terminal(page, 'node2');
  await typeLine(page, 'node2', 'ping 172.16.112.130');
  await expect(t).toContainText('icmp_seq=2');
  await page.keyboard.press('Control+c');
  await expect(t).toContainText('--- 172.16.112.130 ping statistics ---');
  expect(await run(page, 'node2', 'pnig')).toContain('bash: pnig: command not found');
  expect(await run(page, 'node2', 'ip route add bogus')).toContain(
    'Error: any valid prefix is expected rather than "bogus".',
  );
  expect(problems).toEqual([]);
});
