// Issue 10's netfilter half in the browser: flanneld's --ip-masq rules take effect in the host
// workers' kernels, a firewall rule drops VXLAN, and the counters and conntrack show it.
import { test, expect } from '@playwright/test';
import { openLab, run, screenText, terminal, typeLine } from './helpers.ts';

test.use({ viewport: { width: 1600, height: 1000 } });

/** The screen's rows joined: long lines wrap on screen. */
const flat = (text: string) => text.split('\n').join('');
const ipOf = (text: string) => text.match(/(\d+\.\d+\.\d+\.\d+)\/\d+/)?.[1] ?? '';

test('a pod pinging another host leaves masqueraded; UDP 8472 dropped on INPUT stops VXLAN', async ({
  page,
}) => {
  const problems = await openLab(page, 'lab=e2e-netfilter');
  const node2 = ipOf(await run(page, 'node2', 'ip -4 -br addr show eth0'));
  const node3 = ipOf(await run(page, 'node3', 'ip -4 -br addr show eth0'));
  const pod2 = ipOf(await run(page, 'node2', 'ip netns exec pod1 ip -4 -br addr show eth0'));
  const pod3 = ipOf(await run(page, 'node3', 'ip netns exec pod1 ip -4 -br addr show eth0'));
  expect(await run(page, 'node2', 'iptables -t nat -S FLANNEL-POSTRTG')).toContain(
    '-j MASQUERADE --random-fully',
  );

  // Pod to another host's eth0: node3's wire shows node2's address, not the pod's.
  await typeLine(page, 'node3', 'tcpdump -i eth0 -n -c 2 icmp');
  await expect(terminal(page, 'node3')).toContainText('listening on eth0');
  const ping = await run(page, 'node2', `ip netns exec pod1 ping -c 1 ${node3}`);
  expect(ping).toContain('1 received');
  await expect(terminal(page, 'node3')).toContainText('2 packets captured');
  const wire = (await screenText(page, 'node3')).split('\n').join('');
  expect(wire).toContain(`IP ${node2} > ${node3}: ICMP echo request`);
  expect(wire).not.toContain(pod2);
  const ct = flat(await run(page, 'node2', 'conntrack -L'));
  // A wrap on screen can swallow the space between two fields.
  const entry = [`src=${pod2}`, `dst=${node3}`, 'type=8', 'code=0', 'id=\\d+', `src=${node3}`];
  expect(ct).toMatch(new RegExp(`icmp +1 \\d+ ${entry.join(' ?')} ?dst=${node2} ?type=0`));
  expect(ct).toMatch(/1 flow entries have been ?shown\./);

  // Pod to pod keeps pod addresses, and FLANNEL-FWD counts it.
  expect(await run(page, 'node2', `ip netns exec pod1 ping -c 2 -i 0.2 ${pod3}`)).toContain(
    '2 received',
  );
  expect(flat(await run(page, 'node2', 'iptables -L FLANNEL-FWD -v -n'))).toMatch(
    / [1-9]\d* +\d+ ACCEPT +0 +-- +\* +\* +10\.244\.0\.0\/16 /,
  );

  // A firewall on node3 drops VXLAN: the ping dies, the rule counts what it dropped.
  await run(page, 'node3', 'iptables -A INPUT -p udp --dport 8472 -j DROP');
  expect(await run(page, 'node2', `ip netns exec pod1 ping -c 2 -i 0.2 -W 1 ${pod3}`)).toContain(
    '2 packets transmitted, 0 received, 100% packet loss',
  );
  expect(flat(await run(page, 'node3', 'iptables -L INPUT -v -n'))).toMatch(
    / 2 +268 DROP +17 +-- .* udp dpt:8472/,
  );
  await run(page, 'node3', 'iptables -D INPUT -p udp --dport 8472 -j DROP');
  expect(await run(page, 'node2', `ip netns exec pod1 ping -c 1 ${pod3}`)).toContain('1 received');
  expect(problems).toEqual([]);
});
