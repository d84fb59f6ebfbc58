// What the header's badge and each host's dot say: read from the hosts' snapshots (what the
// kernel and systemd hold), never from what the UI asked for.

import { netContains, parseIp4Net, type Ip4Net } from '../engine/flannel/ip4.ts';
import type { HostSnapshot } from '../workers/host-api.ts';

/** 'ok': flanneld runs and the host routes to every peer; 'booting'; 'down': something is wrong. */
export type HealthLevel = 'ok' | 'booting' | 'down';

/** The status dot's class for each level (green, amber, red). */
export const DOT_CLASS: Record<HealthLevel, 'up' | 'starting' | 'failed'> = {
  ok: 'up',
  booting: 'starting',
  down: 'failed',
};

export interface Health {
  level: HealthLevel;
  /** What is wrong, or what the host is doing ('flanneld stopped', 'booting'); '' when ok. */
  text: string;
}

/** The part of a host's state health reads (HostState has it). */
export interface HealthInput {
  config: { hostname: string };
  status: 'starting' | 'up' | 'failed' | 'off';
  error: string | null;
  snapshot: HostSnapshot | null;
  /** The node's boot is over (its booted() answered). */
  booted: boolean;
}

/**
 * A snapshot's route prefixes and its subnet, parsed once per snapshot (snapshots are replaced,
 * never changed): the badge reads every host against every other, several times a second.
 */
const parsed = new WeakMap<HostSnapshot, { routes: Ip4Net[]; subnet: Ip4Net | undefined }>();

function parsedOf(snapshot: HostSnapshot): { routes: Ip4Net[]; subnet: Ip4Net | undefined } {
  let p = parsed.get(snapshot);
  if (!p) {
    const routes = snapshot.peerRoutes.flatMap((r) => parseIp4Net(r.split(' ')[0]) ?? []);
    p = { routes, subnet: snapshot.subnet ? parseIp4Net(snapshot.subnet) : undefined };
    parsed.set(snapshot, p);
  }
  return p;
}

/** Subnets of `peers` that `snapshot` has no route to (`ip route` as the snapshot read it). */
export function missingPeerRoutes(snapshot: HostSnapshot, peers: HostSnapshot[]): string[] {
  const { routes } = parsedOf(snapshot);
  return peers
    .filter((p) => !!p.subnet && p.subnet !== snapshot.subnet)
    .filter((p) => {
      const s = parsedOf(p).subnet;
      return !s || !routes.some((r) => s.prefixLen >= r.prefixLen && netContains(r, s.ip));
    })
    .map((p) => p.subnet!);
}

export function hostHealth(host: HealthInput, hosts: HealthInput[]): Health {
  if (host.status === 'failed') return { level: 'down', text: `failed: ${host.error ?? ''}` };
  if (host.status === 'off') return { level: 'down', text: 'powered off' };
  const snap = host.snapshot;
  if (host.status === 'starting' || !snap) return { level: 'booting', text: 'booting' };
  if (snap.flanneld === 'absent') return { level: 'ok', text: '' }; // a bare host: nothing to lease
  if (snap.flanneld !== 'running') {
    // Before its boot is over a node's flanneld is starting (or waiting for the join lock).
    const level = !host.booted && snap.flanneld === 'starting' ? 'booting' : 'down';
    return { level, text: `flanneld ${snap.flanneld}` };
  }
  if (!snap.ready) return { level: host.booted ? 'down' : 'booting', text: 'no subnet.env' };
  const nic = snap.links.find((l) => l.name === 'eth0');
  if (nic && !nic.up) return { level: 'down', text: 'eth0 down' };
  if (nic && !nic.carrier) return { level: 'down', text: 'cable cut (eth0 NO-CARRIER)' };
  const peers = hosts.filter((h) => h !== host && h.snapshot).map((h) => h.snapshot!);
  const missing = missingPeerRoutes(snap, peers);
  if (missing.length > 0) {
    const owner = (s: string) => peers.find((p) => p.subnet === s)?.hostname ?? '?';
    // While a node joins, the others learn its lease a moment after it has it.
    const joining = hosts.some((h) => !h.booted && h.status !== 'failed' && h.status !== 'off');
    return {
      level: joining ? 'booting' : 'down',
      text: `no route to ${missing.map((s) => `${owner(s)} (${s})`).join(', ')}`,
    };
  }
  return { level: 'ok', text: '' };
}
