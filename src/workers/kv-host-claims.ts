// Which hosts a tab runs, when several tabs open the same lab: before booting, a tab claims
// host names in the lab's etcd, as a Kubernetes node registers itself under
// /registry/minions/<name>. Each name is created with a txn "version = 0" (so two tabs never
// get the same one) under a lease the tab keeps alive; the first free names win, so the first
// tab gets node1..3 and a second one node4..6. A claim left by a tab that is gone (a reload, a
// closed tab) is taken over at once when the tab's presence can be checked, else it lapses
// with its lease.

import { makeHosts, type HostConfig } from '../engine/lab/params.ts';
import { prefixEnd } from '../engine/kv/key-range.ts';
import type { LabClock } from '../engine/os/clock.ts';
import { KvError, type KeyValue, type KvClient } from '../engine/kv/types.ts';

export const MINIONS_PREFIX = '/registry/minions/';
/** Lab seconds a claim outlives its tab when nobody can tell the tab is gone. */
export const CLAIM_TTL_SECONDS = 60;
const OWNER_ANNOTATION = 'flannel-playground/tab';
const UNDERLAY_LAST_HOST_OCTET = 254;

/** Every host a lab's underlay (172.16.112.0/24) has an address for, in name order. */
const LAB_HOSTS: HostConfig[] = makeHosts(256).filter(
  (h) => Number(h.eth0.split('/')[0].split('.')[3]) <= UNDERLAY_LAST_HOST_OCTET,
);
export const MAX_LAB_HOSTS = LAB_HOSTS.length;

/** The host `nodeN` as params.ts makes it for a lab of N or more hosts. */
export function hostNamed(name: string): HostConfig {
  const index = /^node([1-9]\d*)$/.exec(name)?.[1];
  const host = index === undefined ? undefined : LAB_HOSTS[Number(index) - 1];
  if (!host) throw new Error(`${name} is not a host name of this lab`);
  return { ...host };
}

/** The minion record: a Kubernetes Node, trimmed to what the lab knows of it. */
export function minionValue(name: string, tabId: string): string {
  return JSON.stringify({
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { name, annotations: { [OWNER_ANNOTATION]: tabId } },
    status: { addresses: [{ type: 'InternalIP', address: hostNamed(name).eth0.split('/')[0] }] },
  });
}

/** The tab that claimed a minion record, or null when the record is not one of ours. */
export function minionOwner(value: string): string | null {
  try {
    const owner = (JSON.parse(value) as { metadata?: { annotations?: Record<string, unknown> } })
      .metadata?.annotations?.[OWNER_ANNOTATION];
    return typeof owner === 'string' ? owner : null;
  } catch {
    return null;
  }
}

export interface HostClaimDeps {
  kv: KvClient;
  /** The tab's lab clock: keep-alives follow its speed and fast-forward. */
  clock: LabClock;
  /** This tab's id, written into its records. */
  tabId: string;
  /** Whether a tab still runs (its presence lock is held); absent: claims only lapse. */
  tabAlive?: (tabId: string) => Promise<boolean>;
  warn?: (message: string) => void;
  ttlSeconds?: number;
}

const key = (name: string) => `${MINIONS_PREFIX}${name}`;

export class HostClaims {
  private lease = 0;
  private names: string[] = [];
  private cancelTimer: (() => void) | null = null;
  private disposed = false;

  constructor(private readonly deps: HostClaimDeps) {}

  /**
   * Claims the first `count` free names (fewer when the underlay is full) and returns them;
   * names claimed before stay this tab's (a removed host's name is not handed out again).
   */
  async claim(count: number): Promise<string[]> {
    const first = this.lease === 0;
    if (first) this.lease = (await this.deps.kv.leaseGrant(this.ttl())).id;
    // The lease may have lapsed, or been lost with a leader that closed before saving it.
    else if ((await this.deps.kv.leaseTimeToLive(this.lease)).ttl < 0) await this.reclaim();
    const taken = await this.liveClaims();
    const got: string[] = [];
    for (let i = 0; i < LAB_HOSTS.length && got.length < count; i++) {
      const name = LAB_HOSTS[i].hostname;
      if (taken.has(name)) continue;
      if (await this.create(name)) got.push(name);
    }
    this.names.push(...got);
    if (first) this.schedule();
    if (got.length === 0 && count > 0) {
      throw new Error(
        `this lab already runs ${MAX_LAB_HOSTS} hosts, all the addresses its underlay ` +
          `172.16.112.0/24 has; close a tab of this lab to add more`,
      );
    }
    return got;
  }

  /** Stops the keep-alives and gives the names back. */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer?.();
    if (this.lease) void this.deps.kv.leaseRevoke(this.lease).catch(() => undefined);
  }

  private ttl(): number {
    return this.deps.ttlSeconds ?? CLAIM_TTL_SECONDS;
  }

  /** Names claimed by running tabs; records of tabs that are gone are deleted first. */
  private async liveClaims(): Promise<Set<string>> {
    const { kv, tabAlive } = this.deps;
    const res = await kv.range({ key: MINIONS_PREFIX, rangeEnd: prefixEnd(MINIONS_PREFIX) });
    const taken = new Set<string>();
    const alive = new Map<string, boolean>();
    for (const kv of res.kvs) {
      const name = kv.key.slice(MINIONS_PREFIX.length);
      const owner = minionOwner(kv.value);
      if (owner !== null && owner !== this.deps.tabId && tabAlive) {
        if (!alive.has(owner)) alive.set(owner, await tabAlive(owner));
        if (!alive.get(owner) && (await this.deleteStale(kv))) continue;
      }
      taken.add(name);
    }
    return taken;
  }

  /** Deletes a gone tab's record unless someone changed it meanwhile. */
  private async deleteStale(record: KeyValue): Promise<boolean> {
    const res = await this.deps.kv.txn({
      compare: [{ key: record.key, target: 'mod', result: '=', operand: record.modRevision }],
      success: [{ deleteRange: { key: record.key } }],
      failure: [],
    });
    return res.succeeded;
  }

  private async create(name: string): Promise<boolean> {
    const res = await this.deps.kv.txn({
      compare: [{ key: key(name), target: 'version', result: '=', operand: 0 }],
      success: [
        { put: { key: key(name), value: minionValue(name, this.deps.tabId), lease: this.lease } },
      ],
      failure: [],
    });
    return res.succeeded;
  }

  private schedule(): void {
    if (this.disposed) return;
    // Local: the keep-alive goes to the store in this worker (while it leads the lab).
    this.cancelTimer = this.deps.clock.setTimer(
      (this.ttl() * 1000) / 3,
      () => void this.keepAlive().finally(() => this.schedule()),
      { local: true },
    );
  }

  private async keepAlive(): Promise<void> {
    try {
      await this.deps.kv.leaseKeepAlive(this.lease);
    } catch (err) {
      // Expired (the leader's clock jumped ahead): claim the same names again.
      if (err instanceof KvError && err.code === 'NotFound') await this.reclaim();
      // Anything else (a leader change) is retried on the next round.
    }
  }

  private async reclaim(): Promise<void> {
    const { kv } = this.deps;
    this.lease = (await kv.leaseGrant(this.ttl())).id;
    for (const name of this.names) {
      if (await this.create(name)) continue;
      const cur = (await kv.range({ key: key(name) })).kvs[0];
      if (cur && minionOwner(cur.value) === this.deps.tabId) {
        await kv.put({ key: key(name), value: cur.value, lease: this.lease });
      } else {
        this.deps.warn?.(`${name}: another tab claimed this host name while its lease had lapsed`);
      }
    }
  }
}
