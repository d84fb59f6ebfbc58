// What ping counts while it runs, and the statistics block it prints at exit (iputils'
// gather_statistics, acknowledge, in_flight and finish).

export interface Stats {
  transmitted: number;
  received: number;
  repeats: number;
  corrupted: number;
  errors: number;
  /** Round-trip times in µs: min, max, sum, sum of squares. */
  tmin: number;
  tmax: number;
  tsum: number;
  tsum2: number;
  /** The most probes ever seen in flight at once (`pipe N`). */
  pipesize: number;
  /** The highest sequence number answered (by a reply or an ICMP error), 16 bits. */
  acked: number;
  /** The moving average of the round trip, in µs times 8 (iputils' `rtt`, printed as ewma). */
  rtt: number;
}

export function newStats(): Stats {
  return {
    transmitted: 0,
    received: 0,
    repeats: 0,
    corrupted: 0,
    errors: 0,
    tmin: Infinity,
    tmax: 0,
    tsum: 0,
    tsum2: 0,
    pipesize: 0,
    acked: 0,
    rtt: 0,
  };
}

/** Notes an answer to probe `seq`: the pipe size it reveals, and the highest answered seq. */
export function acknowledge(s: Stats, seq: number): void {
  const diff = (s.transmitted - seq) & 0xffff;
  if (diff > 0x7fff) return;
  s.pipesize = Math.max(s.pipesize, diff + 1);
  const ahead = ((seq - s.acked) << 16) >> 16;
  // Not masked to 16 bits: iputils compares the int difference here.
  if (ahead > 0 || (s.transmitted & 0xffff) - s.acked > 0x7fff) s.acked = seq;
}

/** Probes sent after the highest answered one (0 when the 16-bit distance wraps, as iputils). */
export function inFlight(s: Stats): number {
  const diff = (s.transmitted - s.acked) & 0xffff;
  return diff <= 0x7fff ? diff : 0;
}

/** Adds one good round trip (µs) to the totals and to the moving average. */
export function recordTrip(s: Stats, trip: number): void {
  s.tsum += trip;
  s.tsum2 += trip * trip;
  s.tmin = Math.min(s.tmin, trip);
  s.tmax = Math.max(s.tmax, trip);
  s.rtt = s.rtt ? s.rtt + trip - Math.trunc(s.rtt / 8) : trip * 8;
}

/** iputils' time= column: three decimals under 1 ms, fewer as the time grows. */
export function formatTripTime(us: number): string {
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)}`;
  if (us >= 10000 - 5)
    return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)}`;
  if (us >= 1000)
    return `${Math.floor((us + 5) / 1000)}.${String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

const ms3 = (us: number) =>
  `${Math.trunc(us / 1000)}.${String(Math.trunc(us % 1000)).padStart(3, '0')}`;

/** The standard deviation as finish() computes it: integer µs, the variance in 64-bit ints. */
function mdev(s: Stats, total: number): number {
  let variance: number;
  if (s.tsum < 2147483647) {
    const square = (BigInt(s.tsum) * BigInt(s.tsum)) / BigInt(total);
    variance = Math.trunc((s.tsum2 - Number(square)) / total);
  } else {
    const avg = Math.trunc(s.tsum / total);
    variance = Math.trunc(s.tsum2 / total - avg * avg);
  }
  return Math.floor(Math.sqrt(Math.max(0, variance)));
}

export interface SummaryOptions {
  /** Replies carry a timestamp (-s 16 or more), so there are times to report. */
  timing: boolean;
  /** Flood, adaptive or interval 0: the line ends with `ipg/ewma`. */
  ipg: boolean;
}

/** The statistics block printed at exit; `elapsedMs` runs from start to the last probe's slot. */
export function formatSummary(
  name: string,
  s: Stats,
  elapsedMs: number,
  opts: SummaryOptions,
): string {
  let out = `\n--- ${name} ping statistics ---\n`;
  out += `${s.transmitted} packets transmitted, ${s.received} received`;
  if (s.repeats) out += `, +${s.repeats} duplicates`;
  if (s.corrupted) out += `, +${s.corrupted} corrupted`;
  if (s.errors) out += `, +${s.errors} errors`;
  if (s.transmitted) {
    const loss = Math.fround(((s.transmitted - s.received) * 100) / s.transmitted);
    out += `, ${Number(loss.toPrecision(6))}% packet loss, time ${Math.round(elapsedMs)}ms`;
  }
  out += '\n';
  let comma = '';
  if (s.received && opts.timing) {
    const total = s.received + s.repeats;
    const avg = Math.trunc(s.tsum / total);
    out += `rtt min/avg/max/mdev = ${ms3(s.tmin)}/${ms3(avg)}/${ms3(s.tmax)}/${ms3(mdev(s, total))} ms`;
    comma = ', ';
  }
  if (s.pipesize > 1) {
    out += `${comma}pipe ${s.pipesize}`;
    comma = ', ';
  }
  if (s.received && opts.ipg && s.transmitted > 1) {
    // Inter-packet gap: the run's length in whole µs (rounded: lab times are float sums) over
    // the gaps between probes.
    const ipg = Math.trunc(Math.round(elapsedMs * 1000) / (s.transmitted - 1));
    out += `${comma}ipg/ewma ${ms3(ipg)}/${ms3(Math.trunc(s.rtt / 8))} ms`;
  }
  return out + '\n';
}

/** Counts a probe as sent; an `acked` left more than half the seq space behind is reset. */
export function advanceTransmitted(s: Stats): void {
  s.transmitted++;
  if ((s.transmitted & 0xffff) - s.acked > 0x7fff)
    s.acked = ((s.transmitted & 0xffff) + 1) & 0xffff;
}
