// A small in-memory etcd for tests of flanneld and the CNI plugin: revisions, leases that expire
// on the lab clock, txn with compares, and watches replayed from a start revision.

import { KvError } from '../../kv/types.ts';
import type {
  Compare,
  KeyValue,
  KvClient,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  TxnRequest,
  WatchEvent,
  WatchRequest,
  WatchResponse,
} from '../../kv/types.ts';
import type { LabClock } from '../../os/clock.ts';

interface LeaseRec {
  ttl: number;
  expiresAt: number;
  cancel: () => void;
}

interface WatchRec {
  req: WatchRequest;
  cb: (res: WatchResponse) => void;
  active: boolean;
}

export class FakeKv implements KvClient {
  revision = 1;
  readonly store = new Map<string, KeyValue>();
  readonly leases = new Map<number, LeaseRec>();
  private readonly history: { revision: number; event: WatchEvent }[] = [];
  private readonly watchers: WatchRec[] = [];
  private nextLease = 0x694d854330fc5;
  /** Make the next N calls fail (an etcd outage). */
  failing = false;

  constructor(private readonly clock: LabClock) {}

  private header(): ResponseHeader {
    return { clusterId: '1', memberId: '1', revision: this.revision, raftTerm: 2 };
  }

  private guard(): void {
    if (this.failing) throw new KvError('Unavailable', 'context deadline exceeded');
  }

  private inRange(key: string, start: string, end?: string): boolean {
    if (end === undefined || end === '') return key === start;
    if (end === '\0') return key >= start;
    return key >= start && key < end;
  }

  private emit(event: WatchEvent): void {
    this.history.push({ revision: this.revision, event });
    for (const w of this.watchers) {
      if (!w.active || !this.inRange(event.kv.key, w.req.key, w.req.rangeEnd)) continue;
      const res: WatchResponse = { header: this.header(), events: [event] };
      queueMicrotask(() => w.active && w.cb(res));
    }
  }

  private doPut(key: string, value: string, lease = 0): KeyValue | undefined {
    const prev = this.store.get(key);
    this.revision++;
    const kv: KeyValue = {
      key,
      value,
      createRevision: prev?.createRevision ?? this.revision,
      modRevision: this.revision,
      version: (prev?.version ?? 0) + 1,
      lease,
    };
    this.store.set(key, kv);
    this.emit({ type: 'PUT', kv, prevKv: prev });
    return prev;
  }

  private doDelete(key: string, rangeEnd?: string): KeyValue[] {
    const gone = [...this.store.values()].filter((kv) => this.inRange(kv.key, key, rangeEnd));
    if (gone.length === 0) return [];
    this.revision++;
    for (const kv of gone) {
      this.store.delete(kv.key);
      this.emit({
        type: 'DELETE',
        kv: { ...kv, value: '', modRevision: this.revision, version: 0 },
        prevKv: kv,
      });
    }
    return gone;
  }

  async range(req: { key: string; rangeEnd?: string }) {
    this.guard();
    const kvs = [...this.store.values()]
      .filter((kv) => this.inRange(kv.key, req.key, req.rangeEnd))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    return { header: this.header(), kvs, more: false, count: kvs.length };
  }

  async put(req: { key: string; value: string; lease?: number }) {
    this.guard();
    if (req.lease && !this.leases.has(req.lease))
      throw new KvError('NotFound', 'etcdserver: requested lease not found');
    const prevKv = this.doPut(req.key, req.value, req.lease ?? 0);
    return { header: this.header(), prevKv };
  }

  async deleteRange(req: { key: string; rangeEnd?: string }) {
    this.guard();
    const prevKvs = this.doDelete(req.key, req.rangeEnd);
    return { header: this.header(), deleted: prevKvs.length, prevKvs };
  }

  private compare(c: Compare): boolean {
    const kv = this.store.get(c.key);
    const actual =
      c.target === 'version'
        ? (kv?.version ?? 0)
        : c.target === 'create'
          ? (kv?.createRevision ?? 0)
          : c.target === 'mod'
            ? (kv?.modRevision ?? 0)
            : c.target === 'lease'
              ? (kv?.lease ?? 0)
              : (kv?.value ?? '');
    switch (c.result) {
      case '=':
        return actual === c.operand;
      case '!=':
        return actual !== c.operand;
      case '>':
        return actual > c.operand;
      case '<':
        return actual < c.operand;
    }
  }

  async txn(req: TxnRequest) {
    this.guard();
    const succeeded = req.compare.every((c) => this.compare(c));
    const responses: ResponseOp[] = [];
    for (const op of succeeded ? req.success : req.failure) responses.push(await this.op(op));
    return { header: this.header(), succeeded, responses };
  }

  private async op(op: RequestOp): Promise<ResponseOp> {
    if ('put' in op) return { put: await this.put(op.put) };
    if ('range' in op) return { range: await this.range(op.range) };
    if ('deleteRange' in op) return { deleteRange: await this.deleteRange(op.deleteRange) };
    return { txn: await this.txn(op.txn) };
  }

  async compact(): Promise<{ header: ResponseHeader }> {
    return { header: this.header() };
  }

  async leaseGrant(ttl: number) {
    this.guard();
    const id = this.nextLease++;
    const cancel = this.clock.setTimer(ttl * 1000, () => void this.leaseRevoke(id));
    this.leases.set(id, { ttl, expiresAt: this.clock.now() + ttl * 1000, cancel });
    return { header: this.header(), id, ttl };
  }

  async leaseRevoke(id: number) {
    const lease = this.leases.get(id);
    if (!lease) throw new KvError('NotFound', 'etcdserver: requested lease not found');
    lease.cancel();
    this.leases.delete(id);
    for (const kv of [...this.store.values()]) if (kv.lease === id) this.doDelete(kv.key);
    return { header: this.header() };
  }

  async leaseKeepAlive(id: number) {
    const lease = this.leases.get(id);
    if (!lease) throw new KvError('NotFound', 'etcdserver: requested lease not found');
    return { header: this.header(), id, ttl: lease.ttl };
  }

  async leaseTimeToLive(id: number) {
    const lease = this.leases.get(id);
    const keys = [...this.store.values()].filter((kv) => kv.lease === id).map((kv) => kv.key);
    if (!lease) return { header: this.header(), id, ttl: -1, grantedTtl: 0, keys };
    const ttl = Math.ceil((lease.expiresAt - this.clock.now()) / 1000);
    return { header: this.header(), id, ttl, grantedTtl: lease.ttl, keys };
  }

  async leaseList() {
    return { header: this.header(), leases: [...this.leases.keys()] };
  }

  watch(req: WatchRequest, cb: (res: WatchResponse) => void) {
    const rec: WatchRec = { req, cb, active: true };
    this.watchers.push(rec);
    const start = req.startRevision ?? 0;
    if (start > 0) {
      const events = this.history
        .filter((h) => h.revision >= start && this.inRange(h.event.kv.key, req.key, req.rangeEnd))
        .map((h) => h.event);
      if (events.length > 0)
        queueMicrotask(() => rec.active && cb({ header: this.header(), events }));
    }
    return { cancel: () => (rec.active = false) };
  }

  async status() {
    return {
      header: this.header(),
      version: '3.4.27',
      dbSize: 20480,
      leader: '1',
      raftIndex: this.revision,
    };
  }
}
