// The lab wire: the L2 switch between the hosts' eth0 NICs (the seeds' ens33).
//
// Each host owns one `WirePort`. There is no central switch process: every port keeps its own
// MAC table, learned from the source MACs of the frames it receives, and decides where its own
// outgoing frames go. Together the ports behave like one learning switch:
//   - broadcast / multicast destinations flood to every other port;
//   - a unicast destination whose port is known goes only to that port;
//   - an unknown (or aged-out) unicast destination floods.
// Frames travel as bytes. Frames for the same destination are batched into one message per turn
// of the event loop, because a message costs far more than its bytes (browser-limits.md: 32
// frames per BroadcastChannel message carry 4.6x the frames/s); a batch is one ArrayBuffer
// holding the frames back to back plus their lengths, so a flood allocates one buffer per
// message, not one per frame.
//
// Back-pressure, as a NIC and a full qdisc apply it: a port queues at most TX_QUEUE_LEN frames
// per turn (txqueuelen) and drops the rest (`transmit` says so, and the kernel counts them in
// the link's TX dropped); a receiver that has fallen behind (messages older than
// RX_MAX_LAG_MS of real time when they are taken up, RX_RING_FRAMES of them in a row) drops
// the rest unread until it has caught up, as a full receive ring does, so a flood cannot
// queue up seconds of work in front of Ctrl-C or the page's calls, while a short stall under
// light traffic loses nothing.
//
// The transport is abstract so Node tests use `MemoryHub` and the browser uses
// BroadcastChannels (src/workers/broadcast-transport.ts); MessagePorts can be added later
// behind the same interface.

/** Where a batch goes: one host's port, or every other port. */
export type WireDestination = string | 'flood';

/** What one transport message carries: the sender's port id and its frames, back to back. */
export interface WireMessage {
  from: string;
  bytes: ArrayBuffer;
  /** Each frame's length, in order. */
  lengths: number[];
  /** When it was sent, in real ms (absent from ports that have no real clock). */
  sentAt?: number;
}

export interface PortTransport {
  /** This port's id (the host id); other ports learn it from received messages. */
  readonly portId: string;
  /** Sends a batch. The message is the transport's from then on (it may transfer its bytes). */
  send(to: WireDestination, message: WireMessage): void;
  /** Registers the single receive handler. Messages may be malformed: they come from outside. */
  onMessage(handler: (message: unknown) => void): void;
  close(): void;
}

export interface WireStats {
  txFrames: number;
  txFlooded: number;
  txUnicast: number;
  txMessages: number;
  rxFrames: number;
  rxMessages: number;
  /** Messages or frames that were not well-formed and were dropped. */
  rxMalformed: number;
  /** Frames dropped because this turn's transmit queue was full. */
  txDropped: number;
  /** Frames of messages that waited too long to be taken up, dropped unread. */
  rxDropped: number;
}

export interface WirePortOptions {
  /** Time source for MAC ageing, in ms (the lab clock's now). */
  now: () => number;
  /** MAC table ageing, ms; Linux bridges default to 300 s. */
  ageingMs?: number;
  /** Runs `fn` once the current turn is over; batches are flushed there. */
  schedule?: (fn: () => void) => void;
  /** Real time in ms, comparable between ports (epoch based): enables the receive bound. */
  realNow?: () => number;
}

/** Linux bridge default ageing_time: 300 s. */
export const DEFAULT_AGEING_MS = 300_000;
const ETH_HEADER_LEN = 14;
/** Largest frame we accept from the wire: 9000 B jumbo payload + header + VLAN tag. */
const MAX_FRAME_LEN = 9022;
/** Frames a port queues per turn: Linux's default txqueuelen. */
export const TX_QUEUE_LEN = 1000;
/** A message taken up later than this after it was sent finds the receiver behind. */
export const RX_MAX_LAG_MS = 30;
/** Late frames a receiver still takes before it drops: its receive ring. */
export const RX_RING_FRAMES = 1000;

interface MacEntry {
  port: string;
  seen: number;
}

/** Frames queued for one destination. */
class Batch {
  bytes = new Uint8Array(16 * 1024);
  used = 0;
  lengths: number[] = [];

  /** The queued frames as one message's bytes; the batch is empty again afterwards. */
  take(): { bytes: ArrayBuffer; lengths: number[] } {
    const out = { bytes: this.bytes.buffer.slice(0, this.used), lengths: this.lengths };
    this.used = 0;
    this.lengths = [];
    return out;
  }

  add(frame: Uint8Array): void {
    if (this.used + frame.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + frame.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(frame, this.used);
    this.used += frame.length;
    this.lengths.push(frame.length);
  }
}

export class WirePort {
  /** Called with each frame received from the wire. */
  onReceive: ((frame: Uint8Array) => void) | null = null;
  /** Called instead with all the frames of one message, when set (one kernel call for many). */
  onReceiveFrames: ((frames: Uint8Array[]) => void) | null = null;
  /** Told how many frames a message that came too late held (dropped unread). */
  onRxDropped: ((frames: number) => void) | null = null;
  readonly stats: WireStats = {
    txFrames: 0,
    txFlooded: 0,
    txUnicast: 0,
    txMessages: 0,
    rxFrames: 0,
    rxMessages: 0,
    rxMalformed: 0,
    txDropped: 0,
    rxDropped: 0,
  };

  private readonly macTable = new Map<number, MacEntry>();
  /** One batch buffer per destination, kept and reused. */
  private readonly batches = new Map<WireDestination, Batch>();
  /** Destinations with frames queued this turn. */
  private readonly pending = new Set<WireDestination>();
  private flushScheduled = false;
  /** Frames queued this turn, over every destination. */
  private queued = 0;
  /** Frames taken from late messages since the last timely one: the ring's fill. */
  private lateFrames = 0;
  private readonly now: () => number;
  private readonly realNow: (() => number) | undefined;
  private readonly ageingMs: number;
  private readonly schedule: (fn: () => void) => void;

  constructor(
    private readonly transport: PortTransport,
    opts: WirePortOptions,
  ) {
    this.now = opts.now;
    this.ageingMs = opts.ageingMs ?? DEFAULT_AGEING_MS;
    this.realNow = opts.realNow;
    this.schedule = opts.schedule ?? ((fn) => void Promise.resolve().then(fn));
    transport.onMessage((message) => this.handleMessage(message));
  }

  get portId(): string {
    return this.transport.portId;
  }

  /** Queues a frame for the wire (the bytes are copied, so the caller may reuse its buffer);
   * false when this turn's queue is full and the frame was dropped. */
  transmit(frame: Uint8Array): boolean {
    if (frame.length < ETH_HEADER_LEN) return true;
    if (this.queued >= TX_QUEUE_LEN) {
      this.stats.txDropped++;
      return false;
    }
    this.queued++;
    const to = this.destinationOf(frame);
    this.stats.txFrames++;
    if (to === 'flood') this.stats.txFlooded++;
    else this.stats.txUnicast++;
    let batch = this.batches.get(to);
    if (!batch) {
      batch = new Batch();
      this.batches.set(to, batch);
    }
    batch.add(frame);
    this.pending.add(to);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(() => this.flush());
    }
    return true;
  }

  /** Sends every queued batch now (normally called by the scheduler). */
  flush(): void {
    this.flushScheduled = false;
    this.queued = 0;
    const sentAt = this.realNow?.();
    for (const to of this.pending) {
      this.stats.txMessages++;
      const message: WireMessage = { from: this.transport.portId, ...this.batches.get(to)!.take() };
      if (sentAt !== undefined) message.sentAt = sentAt;
      this.transport.send(to, message);
    }
    this.pending.clear();
  }

  /** The learned MAC table, for the UI and tests: mac -> port id (aged entries left out). */
  macEntries(): Array<{ mac: string; port: string; ageMs: number }> {
    const now = this.now();
    const out: Array<{ mac: string; port: string; ageMs: number }> = [];
    for (const [mac, e] of this.macTable) {
      if (now - e.seen < this.ageingMs) {
        out.push({ mac: macText(mac), port: e.port, ageMs: now - e.seen });
      }
    }
    return out;
  }

  close(): void {
    this.flush();
    this.transport.close();
  }

  private destinationOf(frame: Uint8Array): WireDestination {
    // The I/G bit of the first octet marks broadcast and multicast.
    if (frame[0] & 1) return 'flood';
    const entry = this.macTable.get(macKey(frame, 0));
    if (!entry) return 'flood';
    if (this.now() - entry.seen >= this.ageingMs) {
      this.macTable.delete(macKey(frame, 0));
      return 'flood';
    }
    return entry.port;
  }

  private handleMessage(message: unknown): void {
    if (!isWireMessage(message) || message.from === this.transport.portId) {
      this.stats.rxMalformed++;
      return;
    }
    this.stats.rxMessages++;
    const { sentAt } = message as { sentAt?: unknown };
    if (this.realNow && typeof sentAt === 'number') {
      if (this.realNow() - sentAt <= RX_MAX_LAG_MS) this.lateFrames = 0;
      else if (this.lateFrames >= RX_RING_FRAMES) {
        this.stats.rxDropped += message.lengths.length;
        this.onRxDropped?.(message.lengths.length);
        return;
      } else this.lateFrames += message.lengths.length;
    }
    const now = this.now();
    const all = new Uint8Array(message.bytes);
    const frames: Uint8Array[] = [];
    let at = 0;
    for (const len of message.lengths) {
      if (typeof len !== 'number' || !Number.isInteger(len) || len < 0 || at + len > all.length) {
        this.stats.rxMalformed++;
        break; // the rest of the lengths cannot be trusted either
      }
      const frame = all.subarray(at, at + len);
      at += len;
      if (len < ETH_HEADER_LEN || len > MAX_FRAME_LEN) {
        this.stats.rxMalformed++;
        continue;
      }
      // Learn only unicast sources: a multicast source MAC is invalid on Ethernet.
      if (!(frame[6] & 1)) {
        this.macTable.set(macKey(frame, 6), { port: message.from, seen: now });
      }
      this.stats.rxFrames++;
      frames.push(frame);
    }
    if (this.onReceiveFrames) {
      if (frames.length > 0) this.onReceiveFrames(frames);
    } else {
      for (const frame of frames) this.onReceive?.(frame);
    }
  }
}

function isWireMessage(m: unknown): m is WireMessage {
  if (typeof m !== 'object' || m === null) return false;
  const { from, bytes, lengths } = m as Partial<WireMessage>;
  return typeof from === 'string' && bytes instanceof ArrayBuffer && Array.isArray(lengths);
}

/** A MAC as a table key: its 48 bits as a number (exact in a double; no string per frame). */
function macKey(frame: Uint8Array, offset: number): number {
  const high = frame[offset] * 0x100 + frame[offset + 1];
  const low =
    ((frame[offset + 2] << 24) |
      (frame[offset + 3] << 16) |
      (frame[offset + 4] << 8) |
      frame[offset + 5]) >>>
    0;
  return high * 0x100000000 + low;
}

/** A MAC key as 12 lower-case hex digits, for the UI. */
function macText(key: number): string {
  return key.toString(16).padStart(12, '0');
}

/**
 * An in-memory transport hub for tests and benchmarks: behaves like the BroadcastChannel
 * transport (asynchronous delivery, structured-clone copies, never back to the sender).
 */
export class MemoryHub {
  private readonly ports = new Map<string, (message: unknown) => void>();
  /** Every delivery as `from->to`, so tests can check that unicast stayed unicast. */
  readonly deliveries: string[] = [];

  connect(portId: string): PortTransport {
    const hub = this.ports;
    const deliveries = this.deliveries;
    let handler: (message: unknown) => void = () => {};
    hub.set(portId, (m) => handler(m));
    return {
      portId,
      send(to, message) {
        const copy = structuredClone(message);
        const targets = to === 'flood' ? [...hub.keys()].filter((p) => p !== portId) : [to];
        for (const target of targets) {
          const deliver = hub.get(target);
          if (!deliver) continue;
          deliveries.push(`${portId}->${target}`);
          queueMicrotask(() => deliver(copy));
        }
      },
      onMessage(h) {
        handler = h;
      },
      close() {
        hub.delete(portId);
      },
    };
  }
}
