// Replays the real captures in tests/golden/linux (host-gw, host2) through the kernel: with the
// same addresses and MACs, what it puts on the wire and hands to the pod must be the bytes Linux
// produced, except the IP id (and so the header checksum) that Linux picks at random.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { ROOT_NS } from './types.ts';
import { readPcap } from '../packet/pcap.ts';
import { newKernel } from './testing/util.ts';

const pcap = (name: string) =>
  readPcap(
    readFileSync(new URL(`../../../tests/golden/linux/${name}`, import.meta.url)),
  ).records.map((r) => r.data.slice());

/** IPv4 frame with the id and header checksum zeroed (the values random by nature). */
function maskId(frame: Uint8Array): number[] {
  const f = Array.from(frame);
  if (f[12] === 8 && f[13] === 0) f[18] = f[19] = f[24] = f[25] = 0;
  return f;
}

describe('golden host-gw captures of host2', () => {
  it('emits the same ARP and echo request on eth0 and delivers the same reply to the pod', async () => {
    const eth0Frames = pcap('host-gw-eth0.pcap');
    const cni0Frames = pcap('host-gw-cni0.pcap').filter((f) => !(f[12] === 8 && f[23] === 2)); // no IGMP
    const k = await newKernel(new ManualClock());
    k.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
    const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether', address: '92:6c:f8:be:8d:98' });
    k.addrAdd(ROOT_NS, { ifindex: eth0, local: '172.16.112.133', prefixlen: 24 });
    k.linkSet(ROOT_NS, eth0, { up: true });
    const cni0 = k.linkAdd(ROOT_NS, { name: 'cni0', kind: 'bridge' });
    k.addrAdd(ROOT_NS, { ifindex: cni0, local: '10.244.1.1', prefixlen: 24 });
    k.linkSet(ROOT_NS, cni0, { up: true });
    k.netnsAdd('pod');
    k.linkAdd('pod', {
      name: 'eth0',
      kind: 'veth',
      address: '7a:89:c2:5c:1b:61',
      peer: { name: 'veth1', netns: ROOT_NS },
    });
    const veth1 = k.linkGet(ROOT_NS, 'veth1').ifindex;
    k.linkSet(ROOT_NS, veth1, { address: '9a:72:a9:d0:34:7f', master: cni0, up: true });
    k.addrAdd('pod', { ifindex: 2, local: '10.244.1.2', prefixlen: 24 });
    k.linkSet('pod', 2, { up: true });
    k.routeAdd('pod', { dst: '0.0.0.0', dstLen: 0, gateway: '10.244.1.1' });
    k.routeAdd(ROOT_NS, { dst: '10.244.2.0', dstLen: 24, gateway: '172.16.112.130', oif: eth0 });

    const onWire: Uint8Array[] = [];
    k.onWireTransmit = (_i, f) => void onWire.push(f.slice());
    const toPod: Uint8Array[] = [];
    k.captureOpen(ROOT_NS, veth1, (f, m) => m.direction === 'out' && toPod.push(f));
    const fromPod: Uint8Array[] = [];
    k.captureOpen(ROOT_NS, veth1, (f, m) => m.direction === 'in' && fromPod.push(f));
    const pinger = k.icmpOpen('pod', () => {});

    // The pod sends the golden echo request's ICMP message (same id, seq, timestamp, data).
    const request = cni0Frames.find(
      (f) => f[12] === 8 && f[13] === 0 && f[23] === 1 && f[34] === 8,
    )!;
    k.icmpSend(pinger, '10.244.2.2', request.subarray(34));
    // Pod side: ARP for the gateway and the request, as Linux sent them.
    expect(fromPod.map(maskId)).toEqual(
      cni0Frames
        .slice(0, 3)
        .filter((f) => f[6] === 0x7a)
        .map(maskId),
    );
    // Wire side: ARP request for host3 first (byte for byte).
    expect(Array.from(onWire[0])).toEqual(Array.from(eth0Frames[0]));
    // The golden ARP reply arrives; the queued request leaves exactly as Linux forwarded it.
    k.wireReceive(eth0, eth0Frames[1]);
    expect(maskId(onWire[1])).toEqual(maskId(eth0Frames[2]));
    // The golden echo reply arrives from host3; the pod receives Linux's bytes, id included.
    k.wireReceive(eth0, eth0Frames[3]);
    const reply = cni0Frames.find((f) => f[12] === 8 && f[13] === 0 && f[23] === 1 && f[34] === 0)!;
    expect(Array.from(toPod[toPod.length - 1])).toEqual(Array.from(reply));
  });

  it('vxlan: the encapsulated frame on eth0 matches Linux outside ids, ports and checksums', async () => {
    const eth0Frames = pcap('vxlan-eth0.pcap');
    const cni0Frames = pcap('vxlan-cni0.pcap');
    const k = await newKernel(new ManualClock());
    k.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
    const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether', address: '8a:d5:c8:8f:8c:ad' });
    k.addrAdd(ROOT_NS, { ifindex: eth0, local: '172.16.112.133', prefixlen: 24 });
    k.linkSet(ROOT_NS, eth0, { up: true });
    const cni0 = k.linkAdd(ROOT_NS, { name: 'cni0', kind: 'bridge', mtu: 1450 });
    k.addrAdd(ROOT_NS, { ifindex: cni0, local: '10.244.1.1', prefixlen: 24 });
    k.linkSet(ROOT_NS, cni0, { up: true });
    k.netnsAdd('pod');
    k.linkAdd('pod', {
      name: 'eth0',
      kind: 'veth',
      mtu: 1450,
      address: '0a:7e:10:db:6c:48',
      peer: { name: 'veth1', netns: ROOT_NS },
    });
    const veth1 = k.linkGet(ROOT_NS, 'veth1').ifindex;
    k.linkSet(ROOT_NS, veth1, { address: 'fe:c4:c3:38:9e:29', master: cni0, up: true });
    k.addrAdd('pod', { ifindex: 2, local: '10.244.1.2', prefixlen: 24 });
    k.linkSet('pod', 2, { up: true });
    k.routeAdd('pod', { dst: '0.0.0.0', dstLen: 0, gateway: '10.244.1.1' });
    const fl = k.linkAdd(ROOT_NS, {
      name: 'flannel.1',
      kind: 'vxlan',
      mtu: 1450,
      address: '36:a0:28:99:63:ac',
      vxlan: { vni: 1, local: '172.16.112.133', dev: eth0, dstport: 8472, learning: false },
    });
    k.addrAdd(ROOT_NS, { ifindex: fl, local: '10.244.1.0', prefixlen: 32 });
    k.linkSet(ROOT_NS, fl, { up: true });
    k.routeAdd(ROOT_NS, {
      dst: '10.244.2.0',
      dstLen: 24,
      gateway: '10.244.2.0',
      oif: fl,
      onlink: true,
    });
    k.neighAdd(ROOT_NS, { ifindex: fl, dst: '10.244.2.0', lladdr: '5a:3c:fd:6c:46:8f' });
    k.fdbAdd(ROOT_NS, { ifindex: fl, mac: '5a:3c:fd:6c:46:8f', dst: '172.16.112.130' });
    const onWire: Uint8Array[] = [];
    k.onWireTransmit = (_i, f) => void onWire.push(f.slice());
    const request = cni0Frames.find(
      (f) => f[12] === 8 && f[13] === 0 && f[23] === 1 && f[34] === 8,
    )!;
    k.icmpSend(
      k.icmpOpen('pod', () => {}),
      '10.244.2.2',
      request.subarray(34),
    );
    expect(Array.from(onWire[0])).toEqual(Array.from(eth0Frames[0])); // ARP for host3
    k.wireReceive(eth0, eth0Frames[1]);
    // Mask: outer IP id + checksum, UDP source port + checksum, inner IP id + checksum.
    const mask = (f: Uint8Array) => {
      const m = Array.from(f);
      for (const i of [18, 19, 24, 25, 34, 35, 40, 41, 50 + 18, 50 + 19, 50 + 24, 50 + 25])
        m[i] = 0;
      return m;
    };
    expect(mask(onWire[1])).toEqual(mask(eth0Frames[2]));
  });
});
