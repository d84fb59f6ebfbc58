// tests/golden/linux/ip-more.txt, recorded on real iproute2 6.1 by ip-more.oracle.sh and
// ip-more2.oracle.sh: the steps whose output depends only on the lab's starting state (errors,
// help texts, formats) run against that state, each on a fresh kernel.

import { describe, expect, it } from 'vitest';
import { FakeKernel } from './testing/fake-kernel.ts';
import { more3Lab, more4Lab, moreLab } from './testing/fixtures.ts';
import { maskTimers, readGolden, run, transcript } from './testing/run.ts';

const STEPS = transcript(readGolden('ip-more.txt'));

function step(cmd: string) {
  const found = STEPS.find((s) => s.cmd === cmd);
  if (found === undefined) throw new Error(`no golden step "${cmd}"`);
  return found;
}

const FROM_START_STATE = [
  'ip help',
  'ip link help',
  'ip link xyz',
  'ip route xyz',
  'ip addr xyz',
  'ip neigh xyz',
  'ip netns xyz',
  'ip link show',
  'ip -br link',
  'ip -j link show cni0',
  'ip -j -p link show lo',
  'ip -o addr',
  'ip -4 addr',
  'ip link add veth1 type veth peer name veth1b',
  'ip link add',
  'ip link add foo',
  'ip link add foo type nosuchkind',
  'ip link del eth9',
  'ip link set dev veth1 mtu abc',
  'ip link set dev veth1 mtu 99999',
  'ip link set dev veth1 address zz',
  'ip link set dev veth1 master eth9',
  'ip link set dev veth1 frobnicate',
  'ip link set veth1',
  'ip addr add 10.244.1.1/24 dev cni0',
  'ip addr del 10.99.0.1/24 dev cni0',
  'ip addr show eth9',
  'ip addr add dev cni0',
  'ip route add 10.56.0.0/24 via 10.99.1.5',
  'ip route add 10.57.0.0/24 dev eth9',
  'ip route add 10.61.0.0/24 dev cni0 bogus',
  'ip route show dev eth9',
  'ip route get bogus',
  'ip route get 10.244.1.1',
  'ip neigh add 10.244.1.10 dev cni0',
  'ip neigh add 10.244.1.11 lladdr 02:00:00:00:00:11',
  'ip neigh add 10.244.1.12 lladdr 02:00:00:00:00:12 dev cni0 nud bogus',
  'ip neigh add 10.244.1.13 lladdr 02:00:00:00:00:13 dev eth9',
  'ip neigh del 10.244.1.99 dev cni0',
  'bridge link',
  'bridge link show dev veth1',
  'bridge -d link',
  'bridge fdb show br cni0',
  'bridge fdb show',
  'bridge -j fdb show br cni0',
  'bridge fdb del 02:00:00:00:00:bb dev veth1 master',
  'bridge fdb add zz dev veth1',
  'bridge fdb add 02:00:00:00:00:aa',
  'bridge fdb xyz',
  'bridge help',
  'bridge -V',
  'ip netns add flmorep',
  'ip netns del nosuchns',
  'ip netns exec nosuchns ip link',
  'ip netns exec',
  'ip -n nosuchns link',
  'ip -d link show veth1',
  'ip -d link show cni0',
  'ip link add vx11 type vxlan',
  'ip link add vx12 type vxlan id abc',
  'ip link set ve1 netns nosuchns',
  'ip -s -s link show lo',
  'ip -6 route',
  'ip -j -p link show veth1',
  'ip -j link show veth1',
  'ip -j addr show veth1',
  'bridge fdb show dev eth9',
  'bridge fdb add 02:00:00:00:00:aa dev eth9',
  'ip addr flush',
  'ip netns exec flm2p',
  'ip -j route get 10.244.1.1',
  'ip route show table 5',
  'ip addr del 10.244.1.1/24 dev eth9',
  'ip addr add 10.244.1.1/33 dev cni0',
  'ip route add 10.244.1.0/33 dev cni0',
  'ip route add 10.244.1.7/24 dev cni0',
];

/**
 * Steps recorded in the second lab (ip-more2), where the veth's ifindex is 3 and its MAC
 * differs, and where the pod is called flm2p: their text is adapted to the first lab.
 */
function adapt(cmd: string, text: string): string {
  return text
    .replaceAll('9e:2d:81:12:28:05', 'ba:75:b9:86:27:1c')
    .replace('ip netns exec flm2p', 'ip netns exec flmorep');
}

describe('ip-more.txt from the starting state', () => {
  for (const cmd of FROM_START_STATE) {
    it(cmd, async () => {
      const golden = step(cmd);
      const kernel = moreLab();
      if (cmd.includes('flm2p')) kernel.netnsAdd('flm2p');
      if (cmd.startsWith('ip link set ve1')) {
        kernel.linkAdd('', { name: 've1', kind: 'veth', peer: { name: 've2' } });
      }
      if (cmd === 'ip link show' || cmd === 'ip -br link') {
        // Recorded a moment after the bridge came up, before it saw its port's carrier.
        kernel.tables('').links[1]!.operstate = 'UNKNOWN';
      }
      const result = await run(kernel, cmd);
      expect(maskTimers(result.output)).toBe(maskTimers(adapt(cmd, golden.output)));
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip-more.txt: a pod sees its veth peer in the root namespace', () => {
  // Recorded with both ends in named namespaces (`link-netns flmore`); in the playground the
  // host is the unnamed root namespace, which a pod sees as `link-netnsid 0`.
  for (const cmd of [
    'ip link show eth0',
    'ip -br link',
    'ip -d link show eth0',
    'ip -s link show eth0',
    'ip route',
    'ip route get 10.244.2.5',
    'ip addr show eth0',
  ]) {
    it(cmd, async () => {
      const golden = step(`[pod] ${cmd}`);
      const result = await run(moreLab(), cmd, 'flmorep');
      expect(result.output).toBe(golden.output.replace('link-netns flmore', 'link-netnsid 0'));
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip -V', () => {
  it('prints the version the playground models', async () => {
    const result = await run(moreLab(), 'ip -V');
    expect(result.stdout).toBe('ip utility, iproute2-6.1.0, libbpf 1.1.0\n');
    expect(step('ip -V').output).toMatch(/^ip utility, iproute2-6\.1\.0, libbpf /);
  });
});

describe('ip-more.txt, third batch: tun, lower-layer-down veth, statistics JSON, broadcast', () => {
  const cmds = [
    'ip -br link show flannel0',
    'ip -br addr show flannel0',
    'ip -j link show flannel0',
    'ip -o link show flannel0',
    'ip link show veth1',
    'ip -br link show veth1',
    'ip -j -s link show lo',
    'ip -j -p -s link show lo',
    'ip route get 10.9.0.255',
    'ip -j route get 10.9.0.255',
    'ip route get 10.244.5.5',
    'ip route flush',
    'ip neigh flush',
    'ip link set veth1 mtu 60',
    'ip link set veth1 name flannel0',
    'ip link add dev dummy0 type dummy',
    'bridge -j -p fdb show dev veth1',
    'ip -h link show lo',
    'ip -x link',
    'ip -j -d link show lo',
  ];
  for (const cmd of cmds) {
    it(cmd, async () => {
      const golden = step(cmd);
      const result = await run(more3Lab(), cmd);
      expect(result.output).toBe(golden.output);
      expect(result.code).toBe(golden.code);
    });
  }

  it('neighbours without a link-layer address, NOARP hidden by default, linkdown routes', async () => {
    const k = more3Lab();
    const seq = between3('ip neigh add 10.9.0.7 dev veth1 nud incomplete', 'ip route');
    for (const s of seq) {
      const result = await run(k, s.cmd);
      expect(result.output, s.cmd).toBe(s.output);
      expect(result.code, s.cmd).toBe(s.code);
    }
  });
});

/** Steps of the third batch, from `from` to the first `to` after it. */
function between3(from: string, to: string) {
  const start = STEPS.findIndex((s) => s.cmd === from);
  const end = STEPS.findIndex((s, i) => i > start && s.cmd === to);
  return STEPS.slice(start, end + 1);
}

describe('ip-more.txt, fourth batch: -d JSON per kind, -s and -d with ip addr', () => {
  // The recorded TUN was made persistent by `ip tuntap add`; flannel's is not.
  const persistFix = (t: string) => t.replace('"persist":true', '"persist":false');
  for (const cmd of [
    'ip -s addr show lo',
    'ip -s -br link show lo',
    'ip -j -d link show veth1',
    'ip -j -d link show flannel.1',
    'ip -j -d link show flannel0',
    'ip -j -d link show cni0',
  ]) {
    it(cmd, async () => {
      const golden = step(cmd);
      const result = await run(more4Lab(), cmd);
      expect(maskTimers(result.output)).toBe(maskTimers(persistFix(golden.output)));
      expect(result.code).toBe(golden.code);
    });
  }
  for (const cmd of [
    'ip -j -s addr show lo',
    'ip -j -d addr show lo',
    'ip -d addr show lo',
    'ip -s -d link show lo',
  ]) {
    it(`${cmd} (lo down)`, async () => {
      const golden = step(cmd);
      const result = await run(new FakeKernel(), cmd);
      expect(result.output).toBe(golden.output);
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip-help.txt: help texts of the modelled objects', () => {
  for (const golden of transcript(readGolden('ip-help.txt'))) {
    it(golden.cmd, async () => {
      const result = await run(new FakeKernel(), golden.cmd);
      expect(result.stderr).toBe(golden.output);
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip-more.txt, fifth batch: netns ids, bridge -s fdb', () => {
  it('ip netns list marks the namespaces a link here peers into with their id', async () => {
    // Recorded from the named namespace flm6, on a machine with an unrelated namespace (tdx):
    // here the host is the root namespace, so only the pods are listed.
    const golden = STEPS.filter((s) => s.cmd === 'ip netns list').at(-1);
    expect(golden?.output).toContain('flm6p (id: 0)\nflm6q\n');
    const k = moreLab();
    k.netnsAdd('flm6q');
    const result = await run(k, 'ip netns list');
    expect(result.stdout).toBe('flmorep (id: 0)\nflm6q\n');
  });

  for (const cmd of ['bridge -s fdb show dev veth1', 'bridge -s -j fdb show dev veth1']) {
    it(cmd, async () => {
      const golden = step(cmd);
      const k = new FakeKernel();
      const t = k.tables('');
      k.netnsAdd('pod');
      k.linkAdd('', { name: 'cni0', kind: 'bridge' });
      k.linkAdd('', {
        name: 'veth1',
        kind: 'veth',
        address: '4a:fa:b4:12:32:31',
        peer: { name: 'eth0', netns: 'pod' },
      });
      k.linkSet('', 3, { master: 2 });
      t.fdb = [
        {
          ifindex: 3,
          mac: '3a:5f:dd:66:ae:3a',
          master: 2,
          self: false,
          state: 'reachable',
          ageing: 0,
        },
        { ifindex: 3, mac: '4a:fa:b4:12:32:31', master: 2, self: false, state: 'permanent' },
        { ifindex: 3, mac: '33:33:00:00:00:01', self: true, state: 'permanent' },
        { ifindex: 3, mac: '01:00:5e:00:00:01', self: true, state: 'permanent' },
        { ifindex: 3, mac: '33:33:ff:12:32:31', self: true, state: 'permanent' },
      ];
      const result = await run(k, cmd);
      expect(result.output).toBe(golden.output);
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip-more.txt, sixth batch: vxlan default port warning, route selectors', () => {
  function lab7(): FakeKernel {
    const k = moreLab();
    const t = k.tables('');
    t.routes.push(
      {
        table: 'main',
        type: 'unicast',
        dst: '10.244.0.0',
        dstLen: 16,
        gateway: '10.244.1.9',
        oif: 2,
        onlink: false,
        scope: 'global',
        protocol: 'boot',
      },
      {
        table: 'main',
        type: 'unicast',
        dst: '10.244.3.0',
        dstLen: 24,
        gateway: '10.244.1.9',
        oif: 2,
        onlink: false,
        scope: 'global',
        protocol: 'boot',
      },
    );
    t.routes.sort(
      (a, b) => a.dst.localeCompare(b.dst, 'en', { numeric: true }) || a.dstLen - b.dstLen,
    );
    return k;
  }
  for (const cmd of [
    'ip link add vx5 type vxlan id 5',
    'ip route show root 10.244.0.0/16',
    'ip route show match 10.244.3.7',
    'ip route show exact 10.244.0.0/16',
  ]) {
    it(cmd, async () => {
      const golden = step(cmd);
      const result = await run(lab7(), cmd);
      expect(result.output).toBe(golden.output);
      expect(result.code).toBe(golden.code);
    });
  }

  it('the vxlan device gets the kernel default port, 8472', async () => {
    const k = lab7();
    await run(k, 'ip link add vx5 type vxlan id 5');
    expect(k.linkGet('', 'vx5').vxlan?.dstport).toBe(8472);
  });

  it('settings the kernel API cannot express are refused, not silently dropped', async () => {
    // Real Linux accepts these (see the golden); the kernel model has no such knob yet.
    const result = await run(lab7(), 'ip link set cni0 promisc on');
    expect(result.stderr).toBe('RTNETLINK answers: Operation not supported\n');
    expect(result.code).toBe(2);
  });
});
