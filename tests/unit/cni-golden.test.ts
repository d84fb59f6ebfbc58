// What the CNI bridge plugin leaves on a node and in its pods when flannel's plugin delegates to
// it, line for line against tests/golden/linux/cni-bridge.txt: containernetworking-plugins
// 1.1.1's bridge and host-local, run by cni-bridge.oracle.sh with the delegate config flannel
// builds. Random by nature: MACs, the veths' names, the bridge's timers.
import { describe, expect, it } from 'vitest';
import { cniAdd, cniDel, installConflist } from '../../src/engine/cni/cni.ts';
import { ROOT_NS, type KernelApi, type NsId } from '../../src/engine/kernel/types.ts';
import { ManualClock } from '../../src/engine/os/clock.ts';
import { MemoryFileSystem } from '../../src/engine/os/fs.ts';
import { readGolden, run } from '../../src/engine/programs/ip/testing/run.ts';
import { testKernel } from '../../src/engine/testing/kernel.ts';

const ENV =
  'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n';
const PODS = ['flcnip1', 'flcnip2'];
const IDS = ['c0ffee01', 'c0ffee02'];

/** The golden's `# ...` sections, in order. */
function sections(text: string): { title: string; output: string }[] {
  const out: { title: string; output: string }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) out.push({ title: line.slice(2), output: '' });
    else if (out.length > 0) out[out.length - 1].output += `${line}\n`;
  }
  return out;
}

const mask = (text: string) =>
  text
    // A bridge id's MAC is printed without zero padding (glibc's ether_ntoa).
    .replace(/8000\.([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}/g, '8000.ID')
    .replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, 'MAC')
    .replace(/veth[0-9a-f]{8}/g, 'vethXXXXXXXX')
    .replace(/(_timer) +\d+\.\d+/g, '$1 T')
    // The oracle's node is a named namespace; ours is the root one.
    .replace(/link-netns flcni\b(?!p)|link-netnsid 0/g, 'link-netns NODE')
    .trimEnd();

async function node() {
  const clock = new ManualClock();
  const fs = new MemoryFileSystem(clock);
  fs.mkdir('/run/flannel', { recursive: true });
  fs.writeFile('/run/flannel/subnet.env', ENV);
  installConflist(fs);
  const kernel = await testKernel(clock);
  let n = 0;
  const ctx = { kernel, fs, random: () => ((n++ * 7) % 16) / 16 };
  for (const [i, pod] of PODS.entries()) {
    kernel.netnsAdd(pod);
    cniAdd(ctx, { containerId: IDS[i], netns: pod });
  }
  return { kernel, fs, ctx };
}

async function ours(kernel: KernelApi, cmd: string, ns: NsId): Promise<string> {
  const [prog, ...args] = cmd.split(' ');
  if (prog === 'sysctl') return `${args[0]} = ${kernel.sysctlGet(ns, args[0])}\n`;
  return (await run(kernel, cmd, ns)).output;
}

const golden = sections(readGolden('cni-bridge.txt'));
const commands = golden.flatMap((s) => {
  const m = /^([a-z][^:]*) \((node|pod (flcnip\d))\)$/.exec(s.title);
  return m ? [{ cmd: m[1], ns: m[3] ?? ROOT_NS, output: s.output, title: s.title }] : [];
});
const afterDel = golden.findIndex((s) => s.title === 'cni DEL pod1');

describe('the CNI bridge plugin, as flannel delegates to it', () => {
  it('has the recorded commands', () => {
    expect(commands.length).toBeGreaterThan(10);
  });
  for (const c of commands) {
    const beforeDel = golden.findIndex((s) => s.title === c.title) < afterDel;
    it(`${c.title}${beforeDel ? '' : ', after DEL'}`, async () => {
      const { kernel, ctx } = await node();
      if (!beforeDel) cniDel(ctx, { containerId: IDS[0], netns: PODS[0] });
      expect(mask(await ours(kernel, c.cmd, c.ns))).toBe(mask(c.output));
    });
  }

  it('a pod whose eth0 comes up again announces its address (arp_notify)', async () => {
    const { kernel } = await node();
    const cni0 = kernel.linkGet(ROOT_NS, 'cni0').ifindex;
    const arps: string[] = [];
    kernel.captureOpen(ROOT_NS, cni0, (d) => {
      if (d[12] !== 8 || d[13] !== 6) return;
      const ip = (at: number) => [...d.subarray(at, at + 4)].join('.');
      arps.push(
        `ARP, ${d[21] === 1 ? 'Request' : 'Reply'} who-has ${ip(38)} tell ${ip(28)}, length 28`,
      );
    });
    const eth0 = kernel.linkGet(PODS[1], 'eth0').ifindex;
    kernel.linkSet(PODS[1], eth0, { up: false });
    kernel.linkSet(PODS[1], eth0, { up: true });
    const recorded = golden.find((s) => s.title.startsWith('pod2: ip link set eth0 down'))!;
    expect(arps).toEqual(recorded.output.trim().split('\n'));
  });

  it("keeps host-local's files and flannel's delegate config as they do", async () => {
    const { fs, ctx } = await node();
    const dir = '/var/lib/cni/networks/cbr0';
    const listing = (title: string) =>
      golden
        .find((s) => s.title === title)!
        .output.trim()
        .split('\n');
    expect(fs.list(dir).sort()).toEqual(listing('ls host-local dataDir/cbr0'));
    expect(fs.readText(`${dir}/10.244.1.2`)).toBe('c0ffee01\r\neth0');
    expect(fs.readText(`${dir}/last_reserved_ip.0`)).toBe(
      listing('cat dataDir/cbr0/last_reserved_ip.0')[0],
    );
    // The config the oracle handed the bridge plugin is the one flannel's plugin marshals.
    const oracle = readGolden('cni-bridge.oracle.sh');
    const conf = /^(\{"cniVersion".*\})$/m.exec(oracle)![1].replace('"dataDir":"$data",', '');
    expect(fs.readText('/var/lib/cni/flannel/c0ffee01')).toBe(conf);
    cniDel(ctx, { containerId: IDS[0], netns: PODS[0] });
    expect(fs.list(dir).sort()).toEqual(listing('ls host-local dataDir/cbr0 after DEL'));
  });
});
