// The lab wire: the L2 switch between the hosts' eth0 NICs (the seeds' ens33).
//
// Each host owns one `WirePort`. There is no central switch process: every port keeps its own
// MAC table, learned from the source MACs of the frames it receives, and decides where its own
// outgoing frames go. Together the ports behave like one learning switch:
//   - broadcast / multicast destinations flood to every other port;
//   - a unicast destination whose port is known goes only to that port;
//   - an unknown (or aged-out) unicast destination floods.
// Frames travel as bytes (ArrayBuffer). Frames for the same destination are batched into one
// message per turn of the event loop, because a message costs far more than its bytes
// (browser-limits.md: 32 frames per BroadcastChannel message carry 4.6x the frames/s).
//
// The transport is abstract so Node tests use `MemoryHub` and the browser uses
// BroadcastChannels (src/workers/broadcast-transport.ts); MessagePorts can be added later
// behind the same interface.

/** Where a batch goes: one host's port, or every other port. */
export type WireDestination = string | 'flood';

/** What one transport message carries: the sender's port id and its frames. */
export interface WireMessage {
  from: string;
  frames: ArrayBuffer[];
}

export interface PortTransport {
  /** This port's id (the host id); other ports learn it from received messages. */
  readonly portId: string;
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
}

export interface WirePortOptions {
  /** Time source for MAC ageing, in ms (the lab clock's now). */
  now: () => number;
  /** MAC table ageing, ms; Linux bridges default to 300 s. */
  ageingMs?: number;
  /** Runs `fn` once the current turn is over; batches are flushed there. */
  schedule?: (fn: () => void) => void;
}

/** Linux bridge default ageing_time: 300 s. */
export const DEFAULT_AGEING_MS = 300_000;
const ETH_HEADER_LEN = 14;
/** Largest frame we accept from the wire: 9000 B jumbo payload + header + VLAN tag. */
const MAX_FRAME_LEN = 9022;

interface MacEntry {
  port: string;
  seen: number;
}

export class WirePort {
  /** Called with each frame received from the wire. */
  onReceive: ((frame: Uint8Array) => void) | null = null;
  readonly stats: WireStats = {
    txFrames: 0,
    txFlooded: 0,
    txUnicast: 0,
    txMessages: 0,
    rxFrames: 0,
    rxMessages: 0,
    rxMalformed: 0,
  };

  private readonly macTable = new Map<string, MacEntry>();
  private readonly pending = new Map<WireDestination, ArrayBuffer[]>();
  private flushScheduled = false;
  private readonly now: () => number;
  private readonly ageingMs: number;
  private readonly schedule: (fn: () => void) => void;

  constructor(
    private readonly transport: PortTransport,
    opts: WirePortOptions,
  ) {
    this.now = opts.now;
    this.ageingMs = opts.ageingMs ?? DEFAULT_AGEING_MS;
    this.schedule = opts.schedule ?? ((fn) => void Promise.resolve().then(fn));
    transport.onMessage((message) => this.handleMessage(message));
  }

  get portId(): string {
    return this.transport.portId;
  }

  /** Queues a frame for the wire. The bytes are copied, so the caller may reuse its buffer. */
  transmit(frame: Uint8Array): void {
    if (frame.length < ETH_HEADER_LEN) return;
    const to = this.destinationOf(frame);
    this.stats.txFrames++;
    if (to === 'flood') this.stats.txFlooded++;
    else this.stats.txUnicast++;
    let batch = this.pending.get(to);
    if (!batch) {
      batch = [];
      this.pending.set(to, batch);
    }
    batch.push(frame.slice().buffer);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Sends every queued batch now (normally called by the scheduler). */
  flush(): void {
    this.flushScheduled = false;
    for (const [to, frames] of this.pending) {
      this.stats.txMessages++;
      this.transport.send(to, { from: this.transport.portId, frames });
    }
    this.pending.clear();
  }

  /** The learned MAC table, for the UI and tests: mac -> port id (aged entries left out). */
  macEntries(): Array<{ mac: string; port: string; ageMs: number }> {
    const now = this.now();
    const out: Array<{ mac: string; port: string; ageMs: number }> = [];
    for (const [mac, e] of this.macTable) {
      if (now - e.seen < this.ageingMs) out.push({ mac, port: e.port, ageMs: now - e.seen });
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
    for (const buf of message.frames) {
      if (!(buf instanceof ArrayBuffer) || buf.byteLength < ETH_HEADER_LEN) {
        this.stats.rxMalformed++;
        continue;
      }
      if (buf.byteLength > MAX_FRAME_LEN) {
        this.stats.rxMalformed++;
        continue;
      }
      const frame = new Uint8Array(buf);
      // Learn only unicast sources: a multicast source MAC is invalid on Ethernet.
      if (!(frame[6] & 1)) {
        this.macTable.set(macKey(frame, 6), { port: message.from, seen: this.now() });
      }
      this.stats.rxFrames++;
      this.onReceive?.(frame);
    }
  }
}

function isWireMessage(m: unknown): m is WireMessage {
  if (typeof m !== 'object' || m === null) return false;
  const { from, frames } = m as Partial<WireMessage>;
  return typeof from === 'string' && Array.isArray(frames);
}

/** A MAC as a table key: 12 lower-case hex digits. */
function macKey(frame: Uint8Array, offset: number): string {
  let key = '';
  for (let i = offset; i < offset + 6; i++) key += frame[i].toString(16).padStart(2, '0');
  return key;
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
