// tests/golden/linux/vtep.txt, recorded by vtep.oracle.sh on the seeds' vxlan lab: what a VTEP's
// counters count (the inner packet, without its Ethernet header), a drop for a peer with no FDB
// entry, and the limits Linux puts on a vxlan device (one device per VNI and port, an MTU the
// lower device leaves room for, the TTL, the port). The limits run on host2 as the goldens
// build it; the counters on a vxlan lab whose pods ping across.
import { describe, expect, it } from 'vitest';
import { host2 } from './testing/golden-host.ts';
import { readGolden, run, transcript } from './testing/run.ts';
import { sh, threeNodeLab } from '../../../../tests/unit/flannel-lab.ts';

const STEPS = transcript(readGolden('vtep.txt'));
const LIMITS = STEPS.slice(STEPS.findIndex((s) => s.cmd.startsWith('ip link add vx2')));
const mask = (t: string) => t.replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, 'MAC');

describe("vtep.txt: a vxlan device's limits", async () => {
  const kernel = await host2('vxlan');
  for (const step of LIMITS) {
    it(step.cmd, async () => {
      const r = await run(kernel, step.cmd);
      expect(mask(r.output)).toBe(mask(step.output));
      expect(r.code).toBe(step.code);
    });
  }
});

/** The RX and TX bytes/packets/dropped of `ip -s link` output. */
function counters(text: string) {
  const rows = text.split('\n');
  const rx = rows[rows.findIndex((r) => r.includes('RX:')) + 1].trim().split(/\s+/);
  const tx = rows[rows.findIndex((r) => r.includes('TX:')) + 1].trim().split(/\s+/);
  return { rx: rx.slice(0, 2).join('/'), tx: `${tx[0]}/${tx[1]}`, txDropped: tx[3] };
}

describe("vtep.txt: flannel.1's counters", () => {
  it('count each ping as its inner packet, and a drop for a peer with no FDB entry', async () => {
    const shown = STEPS.filter((s) => s.cmd === 'ip -s link show flannel.1').map((s) =>
      counters(s.output),
    );
    const fl = await threeNodeLab('vxlan');
    const addr = await sh(fl, 'node3', 'ip netns exec pod1 ip -4 -br addr show eth0');
    const target = /(10\.244\.\d+\.\d+)\/24/.exec(addr)![1];
    const ours = async () => counters(await sh(fl, 'node2', 'ip -s link show flannel.1'));
    expect(await ours()).toEqual(shown[0]);
    await sh(fl, 'node2', `ip netns exec pod1 ping -c 3 -i 0.2 -q ${target}`);
    expect(await ours()).toEqual(shown[1]);
    const mac = (await sh(fl, 'node3', 'ip -br link show flannel.1')).split(/\s+/)[2];
    const ip3 = /(172\.16\.112\.\d+)\//.exec(await sh(fl, 'node3', 'ip -4 -br addr show eth0'))![1];
    await sh(fl, 'node2', `bridge fdb del ${mac} dev flannel.1 dst ${ip3}`);
    await sh(fl, 'node2', `ip netns exec pod1 ping -c 2 -i 0.2 -W 1 -q ${target}; true`);
    expect(await ours()).toEqual(shown[2]);
  });
});
