// Helpers shared by the kernel's tests: building echo requests, reading IPv4 fields, and a
// tiny lab wire that joins several kernels' ether links.
import fc from 'fast-check';
import { ManualClock } from '../../os/clock.ts';
import { testKernel } from '../../testing/kernel.ts';
import type { Kernel } from '../kernel.ts';
import { IcmpRepr } from '../../packet/icmp.ts';
import { Ipv4Packet } from '../../packet/ipv4.ts';

export async function newKernel(clock = new ManualClock(), seed = 1): Promise<Kernel> {
  let s = seed;
  const random = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return testKernel(clock, { random });
}

/** An ICMP echo request (header + 56 bytes of data), checksummed, like ping sends. */
export function echoRequest(id: number, seq: number, size = 56): Uint8Array {
  const data = Uint8Array.from({ length: size }, (_, i) => i & 255);
  const repr: IcmpRepr = { kind: 'echoRequest', ident: id, seq, data };
  const b = new Uint8Array(IcmpRepr.bufferLen(repr));
  IcmpRepr.emit(repr, b);
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

export function parseIpv4(b: Uint8Array): Ip {
  const p = Ipv4Packet.unchecked(b);
  return {
    ttl: p.ttl,
    proto: p.protocol,
    src: p.srcText,
    dst: p.dstText,
    id: p.ident,
    df: p.dontFrag,
    headerLen: p.headerLen,
    totalLen: p.totalLen,
    payload: p.payload,
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

/** Frames for fast-check: one of `seeds`, cut or grown by cutMin..cutMax bytes, with up to six
 * bytes overwritten; `after` may touch the result (it gets the number of bytes overwritten). */
export function mutatedFrames(
  seeds: Uint8Array[],
  cutMin: number,
  cutMax: number,
  after?: (f: Uint8Array, flips: number) => void,
): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.integer({ min: cutMin, max: cutMax }),
    )
    .map(([seed, flips, cut]) => {
      const len = Math.max(0, seed.length + cut);
      const f = new Uint8Array(len);
      f.set(seed.subarray(0, Math.min(len, seed.length)));
      for (const [at, v] of flips) if (len > 0) f[at % len] = v;
      after?.(f, flips.length);
      return f;
    });
}
