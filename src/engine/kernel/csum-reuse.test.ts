// The UDP layer keeps the sum of a VXLAN datagram's inner payload while it verifies the outer
// checksum, and the inner ICMP/UDP check reuses it (like Linux's CHECKSUM_COMPLETE). These
// tests make sure the reuse never accepts a bad inner checksum and never outlives the bytes.
import { describe, expect, it } from 'vitest';
import { benchSetup, icmp, ipv4Packet, udp, vxlanWireFrame } from '../../../bench/kernel.ts';
import { ROOT_NS } from './types.ts';
import { internetChecksum as checksum } from '../packet/checksum.ts';

async function setup() {
  const b = await benchSetup();
  const ethMac = b.k.linkGet(ROOT_NS, b.eth0).address!;
  const flMac = b.k.linkGet(ROOT_NS, 'flannel.1').address!;
  const wire = (inner: Uint8Array) => vxlanWireFrame(ethMac, flMac, inner);
  // One frame from the pod, so cni0 has learnt its MAC: a flooded frame is a copy, and the
  // copy would not carry the sum (then nothing here would test the reuse).
  b.k.benchInject(ROOT_NS, b.veth, b.podFrame, 1);
  return { ...b, wire };
}

/** A 1000-byte echo message of `type`, with one payload byte flipped after checksumming. */
function icmpMessage(type: number, corrupt: boolean): Uint8Array {
  const m = icmp(type, 1000);
  if (corrupt) m[700] ^= 0x40;
  return m;
}

describe('checksum reuse across VXLAN decapsulation', () => {
  it('delivers an intact inner ICMP message to the pod', async () => {
    const { k, eth0, wire } = await setup();
    const got: Uint8Array[] = [];
    k.icmpOpen('pod', (data) => got.push(data));
    k.wireReceive(eth0, wire(ipv4Packet('10.244.2.2', '10.244.1.2', 63, icmpMessage(0, false), 1)));
    expect(got).toHaveLength(1);
    expect(k.dropCounters()['icmp: bad checksum']).toBeUndefined();
  });

  it('drops an inner ICMP message with a bad checksum although the outer UDP sum is right', async () => {
    const { k, eth0, wire } = await setup();
    const got: Uint8Array[] = [];
    k.icmpOpen('pod', (data) => got.push(data));
    k.wireReceive(eth0, wire(ipv4Packet('10.244.2.2', '10.244.1.2', 63, icmpMessage(0, true), 1)));
    expect(k.dropCounters()['udp: bad checksum']).toBeUndefined();
    expect(k.dropCounters()['icmp: bad checksum']).toBe(1);
    expect(got).toHaveLength(0);
  });

  it('answers an echo request with correct inner and outer checksums (reply built in place)', async () => {
    const { k, eth0, wire } = await setup();
    k.routeAdd('pod', { dst: '0.0.0.0', dstLen: 0, gateway: '10.244.1.1', oif: 2 });
    const out: Uint8Array[] = [];
    k.onWireTransmit = (ifindex, frame) => {
      if (ifindex === eth0) out.push(frame.slice());
    };
    k.wireReceive(eth0, wire(ipv4Packet('10.244.2.2', '10.244.1.2', 63, icmpMessage(8, false), 1)));
    expect(out).toHaveLength(1);
    const f = out[0];
    const outerIp = f.subarray(14);
    const udpLen = (outerIp[24] << 8) | outerIp[25];
    const pseudo = new Uint8Array(12 + udpLen);
    pseudo.set(outerIp.subarray(12, 20), 0);
    pseudo[9] = 17;
    pseudo[10] = udpLen >> 8;
    pseudo[11] = udpLen & 255;
    pseudo.set(outerIp.subarray(20, 20 + udpLen), 12);
    expect(checksum(pseudo)).toBe(0);
    const innerIp = outerIp.subarray(20 + 8 + 8 + 14);
    expect(innerIp[20]).toBe(0); // echo reply
    expect(checksum(innerIp.subarray(0, 20))).toBe(0);
    expect(checksum(innerIp.subarray(20, (innerIp[2] << 8) | innerIp[3]))).toBe(0);
  });

  it('checks an inner UDP datagram the same way: intact delivered, corrupted dropped', async () => {
    const { k, eth0, wire } = await setup();
    const got: Uint8Array[] = [];
    const fd = k.udpOpen('pod', (data) => got.push(data));
    k.udpBind(fd, '0.0.0.0', 7777);
    const data = new Uint8Array(1200).map((_, i) => i * 7);
    const good = udp('10.244.2.2', '10.244.1.2', 40000, 7777, data);
    const bad = good.slice();
    bad[900] ^= 0x01;
    k.wireReceive(eth0, wire(ipv4Packet('10.244.2.2', '10.244.1.2', 63, good, 17)));
    k.wireReceive(eth0, wire(ipv4Packet('10.244.2.2', '10.244.1.2', 63, bad, 17)));
    expect(got).toEqual([data]);
    expect(k.dropCounters()['udp: bad checksum']).toBe(1);
  });
});
