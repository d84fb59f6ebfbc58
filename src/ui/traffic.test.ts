import { describe, expect, it } from 'vitest';
import type { HostSnapshot } from '../workers/host-api.ts';
import { linkTraffic } from './traffic.ts';

function snap(
  links: [string, number, number][],
  pods: [string, number, number][] = [],
): HostSnapshot {
  return {
    hostname: 'node1',
    eth0: '172.16.112.128/24',
    backend: 'vxlan',
    up: true,
    ready: true,
    flanneld: 'running',
    subnet: '10.244.0.0/24',
    peerRoutes: [],
    links: links.map(([name, rxPackets, txPackets]) => ({
      name,
      kind: 'ether',
      up: true,
      carrier: true,
      rxPackets,
      txPackets,
    })),
    pods: pods.map(([name, rxPackets, txPackets]) => ({ name, ip: '', rxPackets, txPackets })),
    wire: { macs: 0 } as HostSnapshot['wire'],
    at: 0,
  };
}

describe('linkTraffic', () => {
  it('marks links whose counters moved, by direction', () => {
    const a = snap(
      [
        ['eth0', 10, 10],
        ['cni0', 5, 5],
        ['flannel.1', 3, 3],
        ['lo', 0, 0],
      ],
      [['pod1', 1, 1]],
    );
    const b = snap(
      [
        ['eth0', 11, 11],
        ['cni0', 5, 6],
        ['flannel.1', 4, 3],
        ['lo', 0, 0],
      ],
      [['pod1', 1, 2]],
    );
    expect(linkTraffic(a, b)).toEqual({
      eth0: 'both',
      cni0: 'tx',
      'flannel.1': 'rx',
      'pod:pod1': 'tx',
    });
  });

  it('shows nothing for a first snapshot, a new link or reset counters', () => {
    const b = snap([['eth0', 11, 11]], [['pod1', 1, 2]]);
    expect(linkTraffic(null, b)).toEqual({});
    expect(linkTraffic(snap([]), b)).toEqual({});
    expect(linkTraffic(snap([['eth0', 50, 50]]), b)).toEqual({});
  });
});
