// busybox ping (1.36's networking/ping.c) on the lab kernel's raw ICMP socket: one probe a
// second from seq=0, `seq=N ttl=T time=X.XXX ms` per reply, the statistics on the count, the
// deadline (-w), the wait after the last probe (-W, 10 s) or Ctrl-C. busybox writes its own
// timestamp into the data; the probes here carry iputils' layout (./ping/icmp.ts), which no
// printed field shows.

import { NetlinkError, strerror } from '../../kernel/types.ts';
import { ICMP_HEADER_LEN, IcmpPacket, IcmpType } from '../../packet/icmp.ts';
import { formatIpv4, parseIpv4 } from '../../packet/ipaddr.ts';
import { IpProtocol } from '../../packet/ipv4.ts';
import { buildEchoRequest, readIpv4 } from '../ping/icmp.ts';
import { PacketWaiter } from '../ping/waiter.ts';
import type { Program } from '../types.ts';

const USAGE = `BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.

Usage: ping [OPTIONS] HOST

Send ICMP ECHO_REQUESTs to HOST

\t-4,-6\t\tForce IP or IPv6 name resolution
\t-c CNT\t\tSend only CNT pings
\t-s SIZE\t\tSend SIZE data bytes in packets (default 56)
\t-i SECS\t\tInterval
\t-A\t\tPing as soon as reply is received
\t-t TTL\t\tSet TTL
\t-I IFACE/IP\tSource interface or IP address
\t-W SEC\t\tSeconds to wait for the first response (default 10)
\t\t\t(after all -c CNT packets are sent)
\t-w SEC\t\tSeconds until ping exits (default:infinite)
\t\t\t(can exit earlier with -c CNT)
\t-q\t\tQuiet, only display output at start/finish
\t-p HEXBYTE\tPayload pattern
`;

/** busybox's "%u.%03u": microseconds as milliseconds with three decimals. */
const ms3 = (us: number) =>
  `${Math.floor(us / 1000)}.${String(Math.floor(us % 1000)).padStart(3, '0')}`;

export const busyboxPing: Program = async (argv, io, host) => {
  let count = 0;
  let size = 56;
  let waitS = 10;
  let deadlineS = 0;
  let quiet = false;
  let dest: string | undefined;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new Error('usage');
      return Number(v);
    };
    try {
      if (a === '-c') count = value();
      else if (a === '-s') size = value();
      else if (a === '-W') waitS = value();
      else if (a === '-w') deadlineS = value();
      else if (a === '-q') quiet = true;
      else if (a === '-4') continue;
      else if (a.startsWith('-') || dest !== undefined) throw new Error('usage');
      else dest = a;
    } catch {
      io.stderr(USAGE);
      return 1;
    }
  }
  if (dest === undefined) {
    io.stderr(USAGE);
    return 1;
  }
  const numeric = parseIpv4(dest, 'inet_aton');
  if (numeric === null) {
    io.stderr(`ping: bad address '${dest}'\n`);
    return 1;
  }
  const dst = formatIpv4(numeric);
  const { kernel, netns, clock } = host;
  try {
    kernel.routeGet(netns, dst);
  } catch (err) {
    if (!(err instanceof NetlinkError)) throw err;
    io.stderr(`ping: sendto: ${strerror(err.errno, err.message)}\n`);
    return 1;
  }
  io.stdout(`PING ${dest} (${dst}): ${size} data bytes\n`);
  const ident = Math.floor((host.random?.() ?? 0) * 0x10000);
  const sent = new Map<number, number>();
  let transmitted = 0;
  let received = 0;
  let tmin = Infinity;
  let tmax = 0;
  let tsum = 0;
  const waiter = new PacketWaiter(clock, io.signal);
  const fd = kernel.icmpOpen(netns, (packet, meta) => {
    const ip = readIpv4(packet);
    if (!ip || ip.protocol !== IpProtocol.ICMP) return;
    const bytes = packet.subarray(ip.headerLen, Math.min(packet.length, ip.totalLen));
    if (bytes.length < ICMP_HEADER_LEN) return;
    const icmp = IcmpPacket.unchecked(bytes);
    if (icmp.type !== IcmpType.ECHO_REPLY || icmp.echoIdent !== ident) return;
    const at = sent.get(icmp.echoSeq);
    if (at === undefined) return;
    sent.delete(icmp.echoSeq);
    const us = Math.max(0, Math.round((meta.time - at) * 1000));
    received++;
    tsum += us;
    tmin = Math.min(tmin, us);
    tmax = Math.max(tmax, us);
    if (!quiet)
      io.stdout(
        `${bytes.length} bytes from ${ip.srcText}: seq=${icmp.echoSeq} ttl=${ip.ttl} time=${ms3(us)} ms\n`,
      );
    waiter.wake();
  });
  const start = clock.now();
  try {
    while (!io.signal.aborted) {
      if (deadlineS && clock.now() - start >= deadlineS * 1000) break;
      if (count > 0 && transmitted >= count) break;
      const seq = transmitted & 0xffff;
      // Recorded first: a reply from this host's own namespaces arrives within the send.
      sent.set(seq, clock.now());
      try {
        kernel.icmpSend(fd, dst, buildEchoRequest(ident, seq, size, clock.now()));
      } catch (err) {
        if (!(err instanceof NetlinkError)) throw err;
        sent.delete(seq);
        io.stderr(`ping: sendto: ${strerror(err.errno, err.message)}\n`);
      }
      transmitted++;
      const last = count > 0 && transmitted >= count;
      let waitMs = last ? waitS * 1000 : 1000;
      if (deadlineS) waitMs = Math.min(waitMs, start + deadlineS * 1000 - clock.now());
      // After the last probe, the reply ends the wait: busybox exits once all are answered.
      if (last && received >= count) break;
      // After the last probe, its reply ends the wait; before it, probes go once a second.
      await waiter.wait(Math.max(0, waitMs), last);
      if (last) break;
    }
  } finally {
    kernel.close(fd);
  }
  let out = `\n--- ${dest} ping statistics ---\n`;
  const loss = transmitted ? Math.floor(((transmitted - received) * 100) / transmitted) : 0;
  out += `${transmitted} packets transmitted, ${received} packets received, ${loss}% packet loss\n`;
  if (received)
    out += `round-trip min/avg/max = ${ms3(tmin)}/${ms3(Math.floor(tsum / received))}/${ms3(tmax)} ms\n`;
  io.stdout(out);
  return received ? 0 : 1;
};
