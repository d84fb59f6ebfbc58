// Which links frames crossed between two snapshots of a host: the kernel's per-link packet
// counters moved. The topology animates those links, outwards for sent frames (tx), inwards
// for received ones (rx).

import type { HostSnapshot, PacketCounts } from '../workers/host-api.ts';

export type Flow = 'tx' | 'rx' | 'both';

/** By link name (`eth0`, `cni0`, `flannel.1`, `veth...`), and `pod:NAME` for a pod's eth0. */
export type LinkTraffic = Record<string, Flow>;

export function podKey(pod: string): string {
  return `pod:${pod}`;
}

function flow(before: PacketCounts | undefined, after: PacketCounts): Flow | null {
  // A link that just appeared (or whose counters reset) shows no flow: nothing to compare.
  if (!before || after.txPackets < before.txPackets || after.rxPackets < before.rxPackets) {
    return null;
  }
  const tx = after.txPackets > before.txPackets;
  const rx = after.rxPackets > before.rxPackets;
  return tx && rx ? 'both' : tx ? 'tx' : rx ? 'rx' : null;
}

export function linkTraffic(prev: HostSnapshot | null, next: HostSnapshot): LinkTraffic {
  const out: LinkTraffic = {};
  if (!prev) return out;
  const links = new Map(prev.links.map((l) => [l.name, l]));
  for (const l of next.links) {
    const f = flow(links.get(l.name), l);
    if (f) out[l.name] = f;
  }
  const pods = new Map(prev.pods.map((p) => [p.name, p]));
  for (const p of next.pods) {
    const f = flow(pods.get(p.name), p);
    if (f) out[podKey(p.name)] = f;
  }
  return out;
}
