// The kernel's header accessors (assembly/headers.ts) and packet/'s views describe the same
// formats twice, once for each side of the module boundary. Both read every frame of the real
// captures in tests/golden/linux here, and must agree field for field, so they cannot drift.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArpPacket } from '../packet/arp.ts';
import { EtherType, EthernetFrame } from '../packet/ethernet.ts';
import { IcmpPacket } from '../packet/icmp.ts';
import { readIpv4 } from '../packet/ipaddr.ts';
import { IpProtocol, Ipv4Packet } from '../packet/ipv4.ts';
import { parseMac } from '../packet/mac.ts';
import { LINKTYPE_ETHERNET, readPcap } from '../packet/pcap.ts';
import { UdpPacket } from '../packet/udp.ts';
import { VxlanPacket } from '../packet/vxlan.ts';
import { loadKernelModule } from './load-node.ts';

const GOLDEN = new URL('../../../tests/golden/linux/', import.meta.url);
const ABSENT = 0xffffffff;
const FIELDS = 33;

interface DissectExports {
  memory: WebAssembly.Memory;
  reqPtr(): number;
  dissect(len: number): number;
}

async function wasmDissector(): Promise<(frame: Uint8Array) => number[]> {
  const imports = {
    env: {
      abort: () => {
        throw new Error('kernel.wasm: abort');
      },
    },
    host: { wireTx: () => {}, deliver: () => {}, journeyEvent: () => {} },
  };
  const { exports } = await WebAssembly.instantiate(await loadKernelModule(), imports);
  const x = exports as unknown as DissectExports;
  return (frame) => {
    const base = x.reqPtr();
    new Uint8Array(x.memory.buffer).set(frame, base);
    x.dissect(frame.length);
    return Array.from(new Uint32Array(x.memory.buffer, base + 65536, FIELDS));
  };
}

/** A MAC as the two words the dissector writes (high 16 bits, low 32 bits). */
function macWords(text: string): [number, number] {
  const b = parseMac(text)!;
  return [(b[0]! << 8) | b[1]!, ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0];
}

/** What packet/'s views read from the frame, in the dissector's layout. */
function viewFields(frame: Uint8Array): number[] {
  const f: number[] = new Array<number>(FIELDS).fill(ABSENT);
  const eth = EthernetFrame.checked(frame);
  f[0] = eth.ethertype;
  [f[1], f[2]] = macWords(eth.dst);
  [f[3], f[4]] = macWords(eth.src);
  const l3 = eth.payload;
  if (eth.ethertype === EtherType.ARP && l3.length >= 28) {
    const arp = ArpPacket.unchecked(l3);
    f[5] = arp.hardwareType;
    f[6] = arp.protocolType;
    f[7] = arp.hardwareLen;
    f[8] = arp.protocolLen;
    f[9] = arp.operation;
    [f[10], f[11]] = macWords(arp.senderMac);
    f[12] = readIpv4(l3, arp.senderProtoOffset);
    f[13] = readIpv4(l3, arp.targetProtoOffset);
  }
  if (eth.ethertype !== EtherType.IPV4 || l3.length < 20) return f;
  const ip = Ipv4Packet.unchecked(l3);
  f[14] = ip.version;
  f[15] = ip.headerLen;
  f[16] = ip.tos;
  f[17] = ip.totalLen;
  f[18] = ip.ident;
  f[19] = ip.flagsAndOffset;
  f[20] = ip.ttl;
  f[21] = ip.protocol;
  f[22] = ip.checksum;
  f[23] = ip.src;
  f[24] = ip.dst;
  const l4 = l3.subarray(ip.headerLen);
  if (ip.fragOffset !== 0 || l4.length < 8) return f;
  if (ip.protocol === IpProtocol.ICMP) {
    const icmp = IcmpPacket.unchecked(l4);
    f[25] = icmp.type;
    f[26] = icmp.checksum;
  } else if (ip.protocol === IpProtocol.UDP) {
    const udp = UdpPacket.unchecked(l4);
    f[27] = udp.srcPort;
    f[28] = udp.dstPort;
    f[29] = udp.length;
    f[30] = udp.checksum;
    if (l4.length >= 16) {
      const vx = VxlanPacket.unchecked(udp.payload);
      f[31] = vx.flags;
      f[32] = vx.vni;
    }
  }
  return f;
}

describe('kernel header accessors agree with packet/ on the golden captures', async () => {
  const dissect = await wasmDissector();
  const files = readdirSync(GOLDEN).filter((name) => name.endsWith('.pcap'));
  for (const name of files) {
    const pcap = readPcap(readFileSync(new URL(name, GOLDEN)));
    if (pcap.linktype !== LINKTYPE_ETHERNET) continue;
    it(name, () => {
      expect(pcap.records.length).toBeGreaterThan(0);
      for (const [i, record] of pcap.records.entries()) {
        expect(dissect(record.data), `${name} frame ${i + 1}`).toEqual(viewFields(record.data));
      }
    });
  }
});
