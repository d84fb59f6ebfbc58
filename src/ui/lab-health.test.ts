import { describe, expect, it } from 'vitest';
import { MemoryHub, WirePort } from '../engine/lab/wire.ts';
import type { HostSnapshot } from '../workers/host-api.ts';
import { hostHealth, missingPeerRoutes, type HealthInput } from './lab-health.ts';

function snap(
  hostname: string,
  subnet: string,
  peerRoutes: string[],
  extra: Partial<HostSnapshot> = {},
): HostSnapshot {
  return {
    hostname,
    eth0: '',
    backend: 'vxlan',
    up: true,
    ready: true,
    flanneld: 'running',
    subnet,
    pods: [],
    links: [],
    peerRoutes,
    wire: { ...new WirePort(new MemoryHub().connect(hostname), { now: () => 0 }).stats, macs: 0 },
    at: 0,
    ...extra,
  };
}

function host(snapshot: HostSnapshot, booted = true): HealthInput {
  return { config: { hostname: snapshot.hostname }, status: 'up', error: null, snapshot, booted };
}

const R1 = '10.244.1.0/24 via 10.244.1.0 dev flannel.1';
const R2 = '10.244.2.0/24 via 10.244.2.0 dev flannel.1';

describe('hostHealth', () => {
  it('says a cut cable or a down eth0 is wrong, whatever the routes say', () => {
    const eth0 = { name: 'eth0', kind: 'ether', rxPackets: 0, txPackets: 0 };
    const cut = host(
      snap('node1', '10.244.1.0/24', [R2], { links: [{ ...eth0, up: true, carrier: false }] }),
    );
    const down = host(
      snap('node1', '10.244.1.0/24', [R2], { links: [{ ...eth0, up: false, carrier: false }] }),
    );
    const b = host(snap('node2', '10.244.2.0/24', [R1]));
    expect(hostHealth(cut, [cut, b])).toEqual({
      level: 'down',
      text: 'cable cut (eth0 NO-CARRIER)',
    });
    expect(hostHealth(down, [down, b])).toEqual({ level: 'down', text: 'eth0 down' });
    const off: HealthInput = { ...b, status: 'off', snapshot: null, booted: false };
    expect(hostHealth(off, [cut, off])).toEqual({ level: 'down', text: 'powered off' });
  });

  it('is ok when flanneld runs and every peer subnet has a route', () => {
    const a = host(snap('node1', '10.244.1.0/24', [R2]));
    const b = host(snap('node2', '10.244.2.0/24', [R1]));
    expect(hostHealth(a, [a, b])).toEqual({ level: 'ok', text: '' });
    // udp: one route for the whole network covers every peer.
    const u = host(snap('node1', '10.244.1.0/24', ['10.244.0.0/16 dev flannel0']));
    expect(hostHealth(u, [u, b]).level).toBe('ok');
  });

  it('says what is wrong: flanneld stopped or failed, a missing peer route', () => {
    const a = host(snap('node1', '10.244.1.0/24', [R2], { flanneld: 'stopped' }));
    const b = host(snap('node2', '10.244.2.0/24', []));
    expect(hostHealth(a, [a, b])).toEqual({ level: 'down', text: 'flanneld stopped' });
    expect(hostHealth(b, [a, b])).toEqual({
      level: 'down',
      text: 'no route to node1 (10.244.1.0/24)',
    });
    expect(missingPeerRoutes(b.snapshot!, [a.snapshot!])).toEqual(['10.244.1.0/24']);
    const failed = { ...a, status: 'failed' as const, error: 'worker error' };
    expect(hostHealth(failed, [failed])).toEqual({ level: 'down', text: 'failed: worker error' });
  });

  it('is booting, not down, while nodes still join', () => {
    const a = host(snap('node1', '10.244.1.0/24', []));
    const b = host(snap('node2', '10.244.2.0/24', [R1], { flanneld: 'starting' }), false);
    expect(hostHealth(a, [a, b]).level).toBe('booting');
    expect(hostHealth(b, [a, b]).level).toBe('booting');
  });
});
