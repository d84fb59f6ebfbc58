// Helpers shared by the kernel's tests: building echo requests, reading IPv4 fields, and a
// tiny lab wire that joins several kernels' ether links.
import { ManualClock } from '../../os/clock.ts';
import { testKernel } from '../../testing/kernel.ts';
import type { Kernel } from '../kernel.ts';

export async function newKernel(clock = new ManualClock(), seed = 1): Promise<Kernel> {
  let s = seed;
  const random = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return testKernel(clock, { random });
}

export function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.length & 1) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An ICMP echo request (header + 56 bytes of data), checksummed, like ping sends. */
export function echoRequest(id: number, seq: number, size = 56): Uint8Array {
  const b = new Uint8Array(8 + size);
  b[0] = 8;
  b[4] = id >> 8;
  b[5] = id & 255;
  b[6] = seq >> 8;
  b[7] = seq & 255;
  for (let i = 0; i < size; i++) b[8 + i] = i & 255;
  const c = checksum(b);
  b[2] = c >> 8;
  b[3] = c & 255;
  return b;
}

export interface Ip {
  ttl: number;
  proto: number;
  src: string;
  dst: string;
  id: number;
  df: boolean;
  headerLen: number;
  totalLen: number;
  payload: Uint8Array;
}

const dotted = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

export function parseIpv4(b: Uint8Array): Ip {
  const ihl = (b[0] & 15) * 4;
  const totalLen = (b[2] << 8) | b[3];
  return {
    ttl: b[8],
    proto: b[9],
    src: dotted(b, 12),
    dst: dotted(b, 16),
    id: (b[4] << 8) | b[5],
    df: (b[6] & 0x40) !== 0,
    headerLen: ihl,
    totalLen,
    payload: b.subarray(ihl, totalLen),
  };
}

/** A lab wire: frames are queued on transmit and delivered to every other port on flush. */
export class TestWire {
  private queue: { from: number; frame: Uint8Array }[] = [];
  private ports: { kernel: Kernel; ifindex: number }[] = [];
  readonly seen: Uint8Array[] = [];

  attach(kernel: Kernel, ifindex: number): void {
    const port = this.ports.length;
    this.ports.push({ kernel, ifindex });
    kernel.onWireTransmit = (_ifx, frame) => {
      const copy = frame.slice();
      this.seen.push(copy);
      this.queue.push({ from: port, frame: copy });
    };
  }

  /** Delivers queued frames until the wire is quiet. */
  flush(): void {
    for (let guard = 0; this.queue.length > 0 && guard < 10000; guard++) {
      const { from, frame } = this.queue.shift()!;
      this.ports.forEach((p, i) => {
        if (i !== from) p.kernel.wireReceive(p.ifindex, frame);
      });
    }
  }
}

/** The frames of a classic pcap file (either byte order). */
export function readPcap(bytes: Uint8Array): Uint8Array[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const le = v.getUint32(0, true) === 0xa1b2c3d4;
  const frames: Uint8Array[] = [];
  for (let pos = 24; pos + 16 <= bytes.length;) {
    const len = v.getUint32(pos + 8, le);
    frames.push(bytes.slice(pos + 16, pos + 16 + len));
    pos += 16 + len;
  }
  return frames;
}
