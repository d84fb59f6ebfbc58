// tests/golden/linux/ip-more.txt, recorded on real iproute2 6.1 by ip-more.oracle.sh and
// ip-more2.oracle.sh: the steps whose output depends only on the lab's starting state (errors,
// help texts, formats) run against that state, each on a fresh real kernel built by the
// oracle's setup (testing/golden-host.ts).

import { describe, expect, it } from 'vitest';
import { echo, MORE, more3Lab, more4Lab, moreLab, replay } from './testing/golden-host.ts';
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
  const adapted = text
    .replaceAll('9e:2d:81:12:28:05', 'ba:75:b9:86:27:1c')
    .replace('ip netns exec flm2p', 'ip netns exec flmorep');
  // Recorded a moment after the bridge came up, before it saw its port's carrier.
  if (cmd === 'ip link show' || cmd === 'ip -br link')
    return adapted
      .replace(/^(2: cni0: .* state )UNKNOWN/m, '$1UP')
      .replace(/^(cni0 +)UNKNOWN/m, '$1UP     ');
  return adapted;
}

// Where the real kernel cannot reach the state a golden was recorded in, the golden's text is
// rewritten to what that state looks like in the kernel, one documented difference each:

/**
 * The recorded flannel0 was made persistent by `ip tuntap add` and had no process: no carrier.
 * The kernel's TUN lives while a process holds it (as flannel's does), so it has carrier.
 */
function heldTun(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      !line.includes('flannel0')
        ? line
        : line
            .replace(
              '<NO-CARRIER,POINTOPOINT,MULTICAST,NOARP,UP>',
              '<POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP>',
            )
            .replace(
              '"NO-CARRIER","POINTOPOINT","MULTICAST","NOARP","UP"',
              '"POINTOPOINT","MULTICAST","NOARP","UP","LOWER_UP"',
            )
            .replace('state DOWN', 'state UNKNOWN')
            .replace('"operstate":"DOWN"', '"operstate":"UNKNOWN"')
            .replace(/^(flannel0 +)DOWN {3}/, '$1UNKNOWN')
            .replace(/ linkdown $/, ' '),
    )
    .join('\n');
}

/** ip-more5 was recorded with IPv6 on; the kernel has none (no 33:33:ff:.. solicited-node entry). */
function ipv4Only(text: string): string {
  if (text.startsWith('['))
    return `${JSON.stringify((JSON.parse(text) as { mac: string }[]).filter((e) => !e.mac.startsWith('33:33:ff:')))}\n`;
  return text.replace(/^33:33:ff:.*\n/gm, '');
}

describe('ip-more.txt from the starting state', () => {
  for (const cmd of FROM_START_STATE) {
    it(cmd, async () => {
      const golden = step(cmd);
      const kernel = await moreLab();
      if (cmd.includes('flm2p')) kernel.netnsAdd('flm2p');
      if (cmd.startsWith('ip link set ve1')) {
        kernel.linkAdd('', { name: 've1', kind: 'veth', peer: { name: 've2' } });
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
      const result = await run(await moreLab(), cmd, 'flmorep');
      expect(result.output).toBe(golden.output.replace('link-netns flmore', 'link-netnsid 0'));
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip -V', () => {
  it('prints the version the playground models', async () => {
    const result = await run(await moreLab(), 'ip -V');
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
      const result = await run(await more3Lab(), cmd);
      expect(result.output).toBe(heldTun(golden.output));
      expect(result.code).toBe(golden.code);
    });
  }

  it('neighbours without a link-layer address, NOARP hidden by default, linkdown routes', async () => {
    const k = await more3Lab();
    const seq = between3('ip neigh add 10.9.0.7 dev veth1 nud incomplete', 'ip route');
    for (const s of seq) {
      const result = await run(k, s.cmd);
      expect(result.output, s.cmd).toBe(heldTun(s.output));
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
      const result = await run(await more4Lab(), cmd);
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
      // Recorded in a fresh namespace, whose lo is down.
      const golden = step(cmd);
      const result = await run(await replay(['ip netns add flm5']), cmd, 'flm5');
      expect(result.output).toBe(golden.output);
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip-help.txt: help texts of the modelled objects', () => {
  for (const golden of transcript(readGolden('ip-help.txt'))) {
    it(golden.cmd, async () => {
      const result = await run(await replay([]), golden.cmd);
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
    const k = await moreLab();
    k.netnsAdd('flm6q');
    const result = await run(k, 'ip netns list');
    expect(result.stdout).toBe('flmorep (id: 0)\nflm6q\n');
  });

  for (const cmd of ['bridge -s fdb show dev veth1', 'bridge -s -j fdb show dev veth1']) {
    it(cmd, async () => {
      const golden = step(cmd);
      // ip-more5.oracle.sh: the pod's ping taught the bridge its MAC.
      const k = await replay([
        'ip link add cni0 type bridge',
        'ip link set cni0 up',
        'ip netns add flm6p',
        'ip link add veth1 type veth peer name eth0 netns flm6p',
        'ip link set dev veth1 address 4a:fa:b4:12:32:31',
        '[flm6p] ip link set dev eth0 address 3a:5f:dd:66:ae:3a',
        'ip link set veth1 master cni0',
        'ip link set veth1 up',
        '[flm6p] ip link set eth0 up',
        '[flm6p] ip addr add 10.244.1.2/24 dev eth0',
        'ip addr add 10.244.1.1/24 dev cni0',
        echo('flm6p', '10.244.1.1', 98),
      ]);
      const result = await run(k, cmd);
      expect(result.output).toBe(ipv4Only(golden.output));
      expect(result.code).toBe(golden.code);
    });
  }
});

describe('ip-more.txt, sixth batch: vxlan default port warning, route selectors', () => {
  // ip-more6.oracle.sh: the first lab's cni0 with two routes via 10.244.1.9.
  const lab7 = () =>
    replay([
      ...MORE,
      'ip route add 10.244.0.0/16 via 10.244.1.9',
      'ip route add 10.244.3.0/24 via 10.244.1.9',
    ]);
  for (const cmd of [
    'ip link add vx5 type vxlan id 5',
    'ip route show root 10.244.0.0/16',
    'ip route show match 10.244.3.7',
    'ip route show exact 10.244.0.0/16',
  ]) {
    it(cmd, async () => {
      const golden = step(cmd);
      const result = await run(await lab7(), cmd);
      expect(result.output).toBe(golden.output);
      expect(result.code).toBe(golden.code);
    });
  }

  it('the vxlan device gets the kernel default port, 8472', async () => {
    const k = await lab7();
    await run(k, 'ip link add vx5 type vxlan id 5');
    expect(k.linkGet('', 'vx5').vxlan?.dstport).toBe(8472);
  });

  it('settings the kernel API cannot express are refused, not silently dropped', async () => {
    // Real Linux accepts these (see the golden); the kernel model has no such knob yet.
    const result = await run(await lab7(), 'ip link set cni0 promisc on');
    expect(result.stderr).toBe('RTNETLINK answers: Operation not supported\n');
    expect(result.code).toBe(2);
  });
});
