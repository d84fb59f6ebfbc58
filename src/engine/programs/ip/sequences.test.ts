// Write commands replayed in order from tests/golden/linux/ip-more.txt: each step's output
// and exit status must match the real run, with the kernel's state carried from step to step.

import { describe, expect, it } from 'vitest';
import type { KernelApi } from '../../kernel/types.ts';
import { MORE, moreLab, replay as goldenHost } from './testing/golden-host.ts';
import { maskTimers, readGolden, run, transcript } from './testing/run.ts';

const STEPS = transcript(readGolden('ip-more.txt'));

/** The golden steps from the first `from` to the next `to` after it, inclusive. */
function between(from: string, to: string, skip: string[] = []) {
  const start = STEPS.findIndex((s) => s.cmd === from);
  const end = STEPS.findIndex((s, i) => i > start && s.cmd === to);
  if (start < 0 || end < 0) throw new Error(`no golden range ${from} .. ${to}`);
  return STEPS.slice(start, end + 1).filter((s) => !skip.includes(s.cmd));
}

/** MACs the kernel drew at random for links created during the run. */
function maskMacs(text: string): string {
  return text.replace(
    /\b(?!ff:ff:ff:ff:ff:ff|00:00:00:00:00:00)([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g,
    '<mac>',
  );
}

function replay(
  name: string,
  kernel: () => Promise<KernelApi>,
  steps: ReturnType<typeof between>,
  mask = false,
) {
  describe(name, () => {
    const k = kernel();
    for (const step of steps) {
      it(step.cmd, async () => {
        const result = await run(await k, step.cmd);
        const norm = (t: string) => maskTimers(mask ? maskMacs(t) : t);
        expect(norm(result.output)).toBe(norm(step.output));
        expect(result.code).toBe(step.code);
      });
    }
  });
}

replay(
  'addresses: /32 default, wildcard delete, brd +, secondary, flush',
  moreLab,
  between('ip addr add 10.244.1.9 dev cni0', 'ip addr show cni0'),
);
replay('addresses: flush', moreLab, between('ip addr flush dev cni0', 'ip addr show cni0'));

/** The state before the route steps: cni0 holds 10.244.1.1/24 and 10.1.2.3/24 scope link. */
const routeLab = () => goldenHost([...MORE, 'ip addr add 10.1.2.3/24 dev cni0 scope link']);
replay(
  'routes: types, metric, via, default, src, proto, replace/append/change, show filters, get, del, flush',
  routeLab,
  between('ip route add unreachable 10.50.0.0/24', 'ip route show dev eth9').concat(
    between('ip route get 10.54.0.1', 'ip route'),
  ),
);

replay(
  'neighbours: add, duplicate, nud, replace, errors, show, json, del, flush',
  moreLab,
  between(
    'ip neigh add 10.244.1.7 lladdr 02:00:00:00:00:07 dev cni0',
    'ip neigh flush dev cni0',
  ).concat(between('ip neigh flush dev cni0', 'ip neigh').slice(1)),
);

replay(
  'bridge fdb: add master static, duplicate, del',
  moreLab,
  between(
    'bridge fdb add 02:00:00:00:00:aa dev veth1 master static',
    'bridge fdb del 02:00:00:00:00:aa dev veth1 master',
  ),
);

replay(
  'links: nomaster, rename, down, del, bridge, vxlan, veth pair, netns move',
  moreLab,
  between('ip link set veth1 nomaster', 'ip link set ve1 netns nosuchns'),
  true,
);

describe('netns', () => {
  it('lists, adds, deletes and execs in a namespace', async () => {
    const k = await moreLab();
    expect((await run(k, 'ip netns add pod9')).code).toBe(0);
    expect((await run(k, 'ip netns')).stdout).toBe('flmorep (id: 0)\npod9\n');
    const inPod = await run(k, 'ip netns exec flmorep ip -br addr');
    expect(inPod.stdout).toBe(
      'lo               UNKNOWN        127.0.0.1/8 \neth0@if3         UP             10.244.1.2/24 \n',
    );
    const viaOption = await run(k, 'ip -n flmorep -br addr');
    expect(viaOption.stdout).toBe(inPod.stdout);
    expect((await run(k, 'ip netns del pod9')).code).toBe(0);
    expect((await run(k, 'ip netns list')).stdout).toBe('flmorep (id: 0)\n');
  });
});

describe('bridge fdb append (flannel adds one entry per remote VTEP)', () => {
  it('keeps two destinations for one MAC, then deletes one', async () => {
    const k = await moreLab();
    await run(
      k,
      'ip link add flannel.1 type vxlan id 1 local 10.244.1.1 dev cni0 dstport 8472 nolearning',
    );
    expect(
      (await run(k, 'bridge fdb append 00:00:00:00:00:00 dev flannel.1 dst 172.16.112.128')).code,
    ).toBe(0);
    expect(
      (await run(k, 'bridge fdb append 00:00:00:00:00:00 dev flannel.1 dst 172.16.112.130')).code,
    ).toBe(0);
    // Linux appends a MAC's destinations (vxlan_fdb_append: list_add_tail_rcu).
    const shown = await run(k, 'bridge fdb show dev flannel.1');
    expect(shown.stdout).toBe(
      '00:00:00:00:00:00 dst 172.16.112.128 self permanent\n' +
        '00:00:00:00:00:00 dst 172.16.112.130 self permanent\n',
    );
    expect(
      (await run(k, 'bridge fdb del 00:00:00:00:00:00 dev flannel.1 dst 172.16.112.128')).code,
    ).toBe(0);
    expect((await run(k, 'bridge fdb show dev flannel.1')).stdout).toBe(
      '00:00:00:00:00:00 dst 172.16.112.130 self permanent\n',
    );
    const dup = await run(k, 'bridge fdb add 00:00:00:00:00:00 dev flannel.1 dst 172.16.112.130');
    expect(dup.stderr).toBe('RTNETLINK answers: File exists\n');
    expect(dup.code).toBe(255);
  });
});
