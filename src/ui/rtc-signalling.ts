// WebRTC signalling through the lab's etcd, for a lab run by several browsers (?etcd=): no
// server of our own. A tab learns the other tabs, and their hosts, from the host claims
// (/registry/minions/<name>, each naming its tab), and reaches one by writing keys under the
// other tab's inbox, all under this tab's lease so they vanish with it:
//   /flannel-playground/<lab>/rtc/<to-tab>/<from-tab>/offer            {"epoch":E,"sdp":"..."}
//   /flannel-playground/<lab>/rtc/<to-tab>/<from-tab>/answer           {"epoch":E,"sdp":"..."}
//   /flannel-playground/<lab>/rtc/<to-tab>/<from-tab>/candidate/E-NNNN {"epoch":E,"candidate":{...}}
// A new offer (a new epoch) replaces the old one and its candidates.

import { prefixEnd } from '../engine/kv/key-range.ts';
import type { KeyValue, KvClient, Watcher } from '../engine/kv/types.ts';
import { MINIONS_PREFIX, minionOwner } from '../workers/kv-host-claims.ts';

/** What a tab writes into another's inbox (a candidate is RTCIceCandidateInit's JSON). */
export type OutgoingSignal =
  | { kind: 'offer'; epoch: number; sdp: string }
  | { kind: 'answer'; epoch: number; sdp: string }
  | { kind: 'candidate'; epoch: number; candidate: IceCandidate };

/** A signal read from this tab's inbox, with the tab that wrote it. */
export type Signal = OutgoingSignal & { from: string };

export interface IceCandidate {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface RtcSignallingDeps {
  kv: KvClient;
  labId: string;
  tabId: string;
  /** Keys live this long after the tab stops refreshing them. */
  ttlSeconds?: number;
  /** Repeats `fn` every `ms` until the returned function is called. */
  every: (ms: number, fn: () => void) => () => void;
  warn?: (message: string) => void;
}

export interface SignallingEvents {
  signal(s: Signal): void;
  /** The other tabs of the lab and the hosts each runs, whenever that changes. */
  tabs(tabs: Map<string, string[]>): void;
}

export const RTC_TTL_SECONDS = 30;

export const rtcPrefix = (labId: string) => `/flannel-playground/${labId}/rtc/`;

export class RtcSignalling {
  private lease = 0;
  private readonly watchers: Watcher[] = [];
  private stopKeepAlive: (() => void) | null = null;
  private readonly candidateSeq = new Map<string, number>();
  /** Host name -> owning tab, from the claims. */
  private readonly owners = new Map<string, string>();
  private closed = false;

  constructor(private readonly deps: RtcSignallingDeps) {}

  private get inbox(): string {
    return `${rtcPrefix(this.deps.labId)}${this.deps.tabId}/`;
  }

  /** Starts listening: existing keys first, then every change. */
  async open(events: SignallingEvents): Promise<void> {
    const { kv } = this.deps;
    const ttl = this.deps.ttlSeconds ?? RTC_TTL_SECONDS;
    this.lease = (await kv.leaseGrant(ttl)).id;
    this.stopKeepAlive = this.deps.every((ttl * 1000) / 3, () => {
      kv.leaseKeepAlive(this.lease).catch((err: unknown) =>
        this.deps.warn?.(`WebRTC signalling: lease keep-alive failed: ${String(err)}`),
      );
    });
    const minions = await kv.range({ key: MINIONS_PREFIX, rangeEnd: prefixEnd(MINIONS_PREFIX) });
    for (const record of minions.kvs) this.noteMinion(record, false);
    events.tabs(this.tabs());
    const inbox = await kv.range({ key: this.inbox, rangeEnd: prefixEnd(this.inbox) });
    // Offers before their candidates: a candidate needs the description it belongs to.
    const signals = inbox.kvs.flatMap((r) => this.parse(r) ?? []);
    signals.sort((a, b) => Number(a.kind === 'candidate') - Number(b.kind === 'candidate'));
    for (const s of signals) events.signal(s);
    if (this.closed) return;
    const from = minions.header.revision + 1;
    this.watchers.push(
      kv.watch(
        { key: MINIONS_PREFIX, rangeEnd: prefixEnd(MINIONS_PREFIX), startRevision: from },
        (res) => {
          for (const e of res.events) this.noteMinion(e.kv, e.type === 'DELETE');
          if (res.events.length) events.tabs(this.tabs());
        },
      ),
      kv.watch(
        {
          key: this.inbox,
          rangeEnd: prefixEnd(this.inbox),
          startRevision: inbox.header.revision + 1,
        },
        (res) => {
          for (const e of res.events) {
            const s = e.type === 'PUT' ? this.parse(e.kv) : null;
            if (s) events.signal(s);
          }
        },
      ),
    );
  }

  /** Writes a signal into tab `to`'s inbox. A new offer first clears this tab's old candidates. */
  async send(to: string, signal: OutgoingSignal): Promise<void> {
    const { kv, labId, tabId } = this.deps;
    const base = `${rtcPrefix(labId)}${to}/${tabId}/`;
    let key = `${base}${signal.kind}`;
    if (signal.kind === 'candidate') {
      const id = `${to}/${signal.epoch}`;
      const seq = this.candidateSeq.get(id) ?? 0;
      this.candidateSeq.set(id, seq + 1);
      key = `${base}candidate/${signal.epoch}-${String(seq).padStart(4, '0')}`;
    } else if (signal.kind === 'offer') {
      const candidates = `${base}candidate/`;
      await kv.deleteRange({ key: candidates, rangeEnd: prefixEnd(candidates) });
    }
    const { kind: _kind, ...body } = signal;
    await kv.put({ key, value: JSON.stringify(body), lease: this.lease });
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.splice(0)) w.cancel();
    this.stopKeepAlive?.();
    if (this.lease) void this.deps.kv.leaseRevoke(this.lease).catch(() => undefined);
  }

  private noteMinion(record: KeyValue, deleted: boolean): void {
    const name = record.key.slice(MINIONS_PREFIX.length);
    const owner = deleted ? null : minionOwner(record.value);
    if (owner === null) this.owners.delete(name);
    else this.owners.set(name, owner);
  }

  private tabs(): Map<string, string[]> {
    const tabs = new Map<string, string[]>();
    for (const [name, owner] of this.owners) {
      if (owner === this.deps.tabId) continue;
      tabs.set(owner, [...(tabs.get(owner) ?? []), name]);
    }
    return tabs;
  }

  /** A key of this tab's inbox as a signal; null (and a warning) for anything else. */
  private parse(record: KeyValue): Signal | null {
    const rest = record.key.slice(this.inbox.length).split('/');
    const [from, kind] = rest;
    try {
      const body = JSON.parse(record.value) as Record<string, unknown>;
      const epoch = body.epoch;
      if (!from || typeof epoch !== 'number') throw new Error('no epoch');
      if ((kind === 'offer' || kind === 'answer') && rest.length === 2) {
        if (typeof body.sdp !== 'string') throw new Error('no sdp');
        return kind === 'offer'
          ? { kind, from, epoch, sdp: body.sdp }
          : { kind, from, epoch, sdp: body.sdp };
      }
      if (kind === 'candidate' && rest.length === 3) {
        const c = body.candidate;
        if (typeof c !== 'object' || c === null) throw new Error('no candidate');
        return { kind, from, epoch, candidate: c as IceCandidate };
      }
      throw new Error('unknown key');
    } catch (err) {
      this.deps.warn?.(`WebRTC signalling: ignored ${record.key}: ${String(err)}`);
      return null;
    }
  }
}
