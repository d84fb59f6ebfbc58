// What `ip link set X down` takes away, against tests/golden/linux/faults.txt: the oracle's
// host (linux-faults-lab.sh) replayed on the real kernel, its link-down steps run in order.
import { describe, expect, it } from 'vitest';
import { FAULTS, echo, replay } from './testing/golden-host.ts';
import { readGolden, run, transcript } from './testing/run.ts';

const HOST = [
  ...FAULTS,
  'ip route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink',
  'ip route add 10.99.0.0/16 via 172.16.112.131',
  // The oracle's `ping -c 1 172.16.112.131`: b's address learned by ARP.
  echo('', '172.16.112.131', 98),
];

/** MACs, the peer's ifindex and its namespace's name are the oracle's own (ours: a NIC). */
function mask(text: string): string {
  return text
    .replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, '<mac>')
    .replace(/@if\d+/g, '')
    .replace(/ link-netns \S+/g, '');
}

describe('faults.txt: ip link set down', () => {
  const all = transcript(readGolden('faults.txt'));
  const from = all.findIndex((s) => s.cmd === 'ip neigh show dev eth0');
  const to = all.findIndex((s) => s.cmd === 'ip link set cni0 up');
  const steps = all.slice(from, to + 1).filter((s) => s.cmd.startsWith('ip '));
  it('has the steps', () => expect(steps.length).toBe(20));
  const kernel = replay(HOST);
  for (const step of steps) {
    it(step.cmd, async () => {
      const r = await run(await kernel, step.cmd);
      expect(mask(r.output)).toBe(mask(step.output));
      expect(r.code).toBe(step.code);
    });
  }
});

describe('carrier.txt: a cut cable', () => {
  // The oracle's NIC was a veth whose far end went down; ours is the lab's NIC whose cable
  // the topology cuts (kernel.carrierSet): the same carrier loss.
  const kernel = replay([
    (k) => {
      const eth0 = k.linkAdd('', { name: 'eth0', kind: 'ether' });
      k.addrAdd('', { ifindex: eth0, local: '172.16.112.130', prefixlen: 24 });
      k.linkSet('', eth0, { up: true });
    },
    'ip route add 10.244.0.0/16 via 172.16.112.2',
  ]);
  for (const step of transcript(readGolden('carrier.txt'))) {
    it(step.cmd, async () => {
      const k = await kernel;
      if (step.cmd.startsWith('ip link set p0')) {
        k.carrierSet(k.linkGet('', 'eth0').ifindex, step.cmd.endsWith('up'));
        return;
      }
      const r = await run(k, step.cmd);
      expect(mask(r.output)).toBe(mask(step.output));
      expect(r.code).toBe(step.code);
    });
  }
});
