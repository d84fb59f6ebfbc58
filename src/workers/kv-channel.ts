// One etcd per lab across tabs: the KV worker that holds the lab's Web Lock (the leader) serves
// its store on a BroadcastChannel, and every tab's KV worker reaches it through a
// ChannelKvClient. Requests and responses carry ids and are addressed (`to`), since everyone
// on a BroadcastChannel hears everything; a watch is a stream of responses until cancelled.
//
// When the leader goes (its tab closed), the next one announces itself: requests still waiting
// for an answer are sent to it, and watches resume from the revision after the last one seen.
// Sending a write again is safe here: a leader applies a request and posts its answer in the
// same task in which it receives it, so a request left unanswered never reached the old one.

import {
  answerCall,
  callsVia,
  errorFromWire,
  errorToWire,
  isKvCall,
  type KvCall,
  type KvCalls,
  type WireError,
} from '../engine/kv/protocol.ts';
import {
  isAnswerOf,
  isMessage,
  isRequestOf,
  isWatchRequest,
  isWatchResponse,
  isWireError,
} from '../engine/kv/wire-check.ts';
import {
  KvError,
  type KvClient,
  type WatchRequest,
  type WatchResponse,
} from '../engine/kv/types.ts';

/** What the protocol needs of a BroadcastChannel (Node 20 has the real one too). */
export interface BusChannel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  close(): void;
}

type Msg =
  | { t: 'who' }
  | { t: 'leader'; leader: string }
  | { t: 'req'; to: string; from: string; id: number; method: KvCall; args: unknown[] }
  | { t: 'res'; to: string; id: number; value?: unknown; error?: WireError }
  | { t: 'watch'; to: string; from: string; id: number; req: WatchRequest }
  | { t: 'created'; to: string; id: number; nextRevision: number }
  | { t: 'wres'; to: string; id: number; res: WatchResponse }
  | { t: 'cancel'; to: string; from: string; id: number };

const isStr = (v: unknown) => typeof v === 'string';
const isId = Number.isSafeInteger;
/** Every message's envelope, by its type (everyone on the channel hears every message). */
const ENVELOPES: Record<Msg['t'], Parameters<typeof isMessage>[1]> = {
  who: {},
  leader: { leader: isStr },
  req: { to: isStr, from: isStr, id: isId },
  res: { to: isStr, id: isId },
  watch: { to: isStr, from: isStr, id: isId },
  created: { to: isStr, id: isId, nextRevision: isId },
  wres: { to: isStr, id: isId },
  cancel: { to: isStr, from: isStr, id: isId },
};

/** Whether `m` is one of the protocol's messages, its envelope whole. */
function isEnvelope(m: unknown): m is Msg {
  const t = (m as { t?: unknown } | null)?.t;
  return (
    typeof t === 'string' && Object.hasOwn(ENVELOPES, t) && isMessage(m, ENVELOPES[t as Msg['t']])
  );
}

/**
 * The leader's side: answers requests addressed to `leaderId` with `client` (the store) and
 * announces itself. `currentRevision` tells where a watch from "now" starts. A message that is
 * not the protocol's, or a request to it that is not a call it takes, is dropped and reported
 * to `onDrop`. Returns stop().
 */
export function serveKvChannel(
  client: KvClient,
  channel: BusChannel,
  leaderId: string,
  currentRevision: () => number,
  onDrop = () => {},
): () => void {
  const watches = new Map<string, () => void>();
  const post = (m: Msg) => channel.postMessage(m);

  const onMessage = (e: MessageEvent) => {
    const m: unknown = e.data;
    if (!isEnvelope(m)) return onDrop();
    if (m.t === 'who') post({ t: 'leader', leader: leaderId });
    if (!('to' in m) || m.to !== leaderId) return;
    if (m.t === 'req' && !(isKvCall(m.method) && isRequestOf(m.method, m.args))) return onDrop();
    if (m.t === 'watch' && !isWatchRequest(m.req)) return onDrop();
    if (m.t === 'req') void answer(m);
    else if (m.t === 'watch') startWatch(m);
    else if (m.t === 'cancel') {
      watches.get(`${m.from}/${m.id}`)?.();
      watches.delete(`${m.from}/${m.id}`);
    }
  };

  async function answer(m: Extract<Msg, { t: 'req' }>): Promise<void> {
    try {
      const value = await answerCall(client, m.method, m.args);
      post({ t: 'res', to: m.from, id: m.id, value });
    } catch (err) {
      post({ t: 'res', to: m.from, id: m.id, error: errorToWire(err) });
    }
  }

  function startWatch(m: Extract<Msg, { t: 'watch' }>): void {
    const key = `${m.from}/${m.id}`;
    watches.get(key)?.();
    const nextRevision = m.req.startRevision || currentRevision() + 1;
    post({ t: 'created', to: m.from, id: m.id, nextRevision });
    const watcher = client.watch(m.req, (res) => {
      post({ t: 'wres', to: m.from, id: m.id, res });
      if (res.canceled) watches.delete(key);
    });
    watches.set(key, () => watcher.cancel());
  }

  channel.addEventListener('message', onMessage);
  post({ t: 'leader', leader: leaderId });
  return () => {
    channel.removeEventListener('message', onMessage);
    for (const cancel of watches.values()) cancel();
    watches.clear();
  };
}

interface Pending {
  method: KvCall;
  args: unknown[];
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface OpenWatch {
  req: WatchRequest;
  onResponse: (res: WatchResponse) => void;
  /** Where to resume after a leader change; null until the leader said where it started. */
  nextRevision: number | null;
}

// The calls come from the protocol's list (assigned in the constructor), typed by this merge.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface ChannelKvClient extends KvCalls {}

/** A KvClient that forwards every call to the lab's leader over `channel`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ChannelKvClient implements KvClient {
  private leader: string | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, OpenWatch>();
  private readonly onMessage = (e: MessageEvent) => this.receive(e.data);
  /** Messages that were not the protocol's, or not a well-formed answer to this client. */
  dropped = 0;

  constructor(
    private readonly channel: BusChannel,
    /** This client's address on the channel (unique per KV worker). */
    private readonly id: string,
  ) {
    Object.assign(
      this,
      callsVia((method, args) => this.request(method, args)),
    );
    channel.addEventListener('message', this.onMessage);
    channel.postMessage({ t: 'who' } satisfies Msg);
  }

  /** The leader's id, once one has answered. */
  get leaderId(): string | null {
    return this.leader;
  }

  close(): void {
    this.channel.removeEventListener('message', this.onMessage);
    this.channel.close();
    for (const p of this.pending.values()) p.reject(new KvError('Canceled', 'context canceled'));
    this.pending.clear();
    this.watches.clear();
  }

  watch(req: WatchRequest, onResponse: (res: WatchResponse) => void): { cancel(): void } {
    const id = ++this.seq;
    this.watches.set(id, { req, onResponse, nextRevision: null });
    if (this.leader) this.sendWatch(id, this.leader);
    return {
      cancel: () => {
        if (!this.watches.delete(id)) return;
        if (this.leader) this.post({ t: 'cancel', to: this.leader, from: this.id, id });
      },
    };
  }

  private request(method: KvCall, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = ++this.seq;
      this.pending.set(id, { method, args, resolve, reject });
      if (this.leader) this.send(id, this.leader);
    });
  }

  private send(id: number, leader: string): void {
    const p = this.pending.get(id)!;
    this.post({ t: 'req', to: leader, from: this.id, id, method: p.method, args: p.args });
  }

  private sendWatch(id: number, leader: string): void {
    const w = this.watches.get(id)!;
    const req = w.nextRevision === null ? w.req : { ...w.req, startRevision: w.nextRevision };
    this.post({ t: 'watch', to: leader, from: this.id, id, req });
  }

  private post(m: Msg): void {
    this.channel.postMessage(m);
  }

  private receive(m: unknown): void {
    if (!isEnvelope(m)) {
      this.dropped++;
      return;
    }
    if (m.t === 'leader') return this.follow(m.leader);
    if (!('to' in m) || m.to !== this.id) return;
    if (m.t === 'res') {
      const p = this.pending.get(m.id);
      if (!p) return;
      const whole = m.error !== undefined ? isWireError(m.error) : isAnswerOf(p.method, m.value);
      if (!whole) {
        this.dropped++;
        return;
      }
      this.pending.delete(m.id);
      if (m.error) p.reject(errorFromWire(m.error));
      else p.resolve(m.value);
    } else if (m.t === 'created') {
      const w = this.watches.get(m.id);
      if (w && w.nextRevision === null) w.nextRevision = m.nextRevision;
    } else if (m.t === 'wres') {
      const w = this.watches.get(m.id);
      if (!w) return; // cancelled here; the leader hears of it soon
      if (!isWatchResponse(m.res)) {
        this.dropped++;
        return;
      }
      w.nextRevision = Math.max(w.nextRevision ?? 0, m.res.header.revision + 1);
      if (m.res.canceled) this.watches.delete(m.id);
      w.onResponse(m.res);
    }
  }

  /** A leader announced itself: send it every request and watch still open. */
  private follow(leader: string): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const id of this.pending.keys()) this.send(id, leader);
    for (const id of this.watches.keys()) this.sendWatch(id, leader);
  }
}
