// Test support for ping: a kernel with one raw ICMP socket whose "network" answers each echo
// request with real bytes (a reply built from the request, or an ICMP error quoting it) after a
// set round trip on the lab clock, and a runner that drives a ManualClock until ping exits.

import { Errno, NetlinkError } from '../../../kernel/types.ts';
import type { KernelApi, SocketHandler } from '../../../kernel/types.ts';
import type { LabClock } from '../../../os/clock.ts';
import { fakeHost, recordingIO } from '../../../testing/host.ts';
import { IcmpPacket, IcmpRepr, UnreachableCode } from '../../../packet/icmp.ts';
import { IpProtocol, Ipv4Repr } from '../../../packet/ipv4.ts';
import { ping } from '../ping.ts';

function ipv4(src: string, dst: string, ttl: number, payload: Uint8Array): Uint8Array {
  const repr = Ipv4Repr.plain({
    src,
    dst,
    protocol: IpProtocol.ICMP,
    ttl,
    payloadLen: payload.length,
  });
  const p = new Uint8Array(Ipv4Repr.bufferLen(repr));
  Ipv4Repr.emit(repr, p);
  p.set(payload, Ipv4Repr.headerLen(repr));
  return p;
}

function icmp(repr: IcmpRepr): Uint8Array {
  const bytes = new Uint8Array(IcmpRepr.bufferLen(repr));
  IcmpRepr.emit(repr, bytes);
  return bytes;
}

export interface FakeNet {
  /** The host's randomness (ping's identifier); 0.25 unless given. */
  random?: () => number;
  /** How the fake network answers a request. */
  behaviour: 'reply' | 'silent' | 'net-unreachable' | 'mtu';
  /** Lab ms until the answer; 0 with `sync` answers inside icmpSend itself. */
  rttMs: number;
  sync: boolean;
  ttl: number;
  mtu?: number;
  /** The echo of this seq comes back with a flipped data byte (a bad checksum). */
  corruptSeq?: number;
  src: string;
  sent: Uint8Array[];
}

/** A kernel with one raw ICMP socket: answers are built from the request bytes after rttMs. */
export function fakeKernel(net: FakeNet, clock: LabClock): Partial<KernelApi> {
  let handler: SocketHandler<{ time: number }> | undefined;
  // Answers due at the same instant arrive together, as a kernel queues a burst on the socket
  // before ping wakes up (so `-l 8` shows eight dots, then eight rub-outs).
  const due = new Map<number, Uint8Array[]>();
  const deliver = (packet: Uint8Array) => {
    if (net.sync) return handler?.(packet, { time: clock.now() });
    const at = clock.now() + net.rttMs;
    const batch = due.get(at);
    if (batch) return batch.push(packet);
    const packets = [packet];
    due.set(at, packets);
    clock.setTimer(net.rttMs, () => {
      due.delete(at);
      for (const p of packets) handler?.(p, { time: clock.now() });
    });
  };
  return {
    routeGet: (_ns, dst) => {
      if (dst.startsWith('8.')) throw new NetlinkError(Errno.ENETUNREACH);
      return { type: 'unicast', dst, oif: 2, prefsrc: net.src };
    },
    addrDump: () => [],
    icmpOpen: (_ns, onPacket) => {
      handler = onPacket;
      return 3;
    },
    close: () => {
      handler = undefined;
    },
    icmpSend: (_fd, dst, message, opts) => {
      net.sent.push(message.slice());
      if (net.behaviour === 'mtu' && opts?.pmtudiscDo && message.length + 20 > (net.mtu ?? 1500))
        throw new NetlinkError(Errno.EMSGSIZE, undefined, net.mtu);
      const request = ipv4(net.src, dst, 64, message);
      if (net.behaviour === 'net-unreachable') {
        const original = request.subarray(0, 28);
        const err = icmp({
          kind: 'destUnreachable',
          code: UnreachableCode.NET,
          nextHopMtu: 0,
          original,
        });
        deliver(ipv4('10.244.1.1', net.src, 64, err));
      }
      if (net.behaviour !== 'reply') return;
      const echo = IcmpPacket.unchecked(message);
      const data = echo.data;
      const reply = icmp({ kind: 'echoReply', ident: echo.echoIdent, seq: echo.echoSeq, data });
      if (echo.echoSeq === net.corruptSeq) reply[reply.length - 1] ^= 0xff;
      deliver(ipv4(dst, net.src, net.ttl, reply));
    },
  };
}

export interface PingRun {
  status: number;
  text: string;
  elapsed: number;
  sent: Uint8Array[];
}

/** Runs ping on a fake network, moving the ManualClock until it exits (or Ctrl-C at `abortAfterMs`). */
export async function runPing(
  args: string[],
  net: Partial<FakeNet> = {},
  abortAfterMs?: number,
): Promise<PingRun> {
  const n: FakeNet = {
    behaviour: 'reply',
    rttMs: 0.264,
    sync: false,
    ttl: 62,
    src: '10.244.1.2',
    sent: [],
    ...net,
  };
  const host = fakeHost();
  Object.assign(host, { kernel: fakeKernel(n, host.clock), random: n.random ?? (() => 0.25) });
  host.fs.writeFile('/etc/hosts', '127.0.0.1\tlocalhost\n172.16.112.130\tnode2\n');
  const io = recordingIO();
  const start = host.clock.now();
  let status: number | undefined;
  const done = ping(['ping', ...args], io, host).then((s) => (status = s));
  if (abortAfterMs !== undefined) host.clock.setTimer(abortAfterMs, () => io.controller.abort());
  // Step from timer to timer, as LocalLab.run does, so sub-ms round trips keep their times.
  for (let i = 0; i < 1_000_000 && status === undefined; i++) {
    const next = host.clock.nextTimer();
    if (next === Infinity) break;
    await host.clock.advance(Math.max(0, next - host.clock.now()));
  }
  await done;
  return {
    status: status ?? -1,
    text: io.all.join(''),
    elapsed: host.clock.now() - start,
    sent: n.sent,
  };
}
