// etcdctl's output formats (-w simple|json|fields|table), one method per response kind, as in
// etcdctl/ctlv3/command/printer_*.go. A format that has no printer for a response throws
// UnsupportedFormat, which etcdctl reports after the request has run.

import type {
  AlarmMember,
  DeleteRangeResponse,
  KeyValue,
  KvMember,
  LeaseGrantResponse,
  LeaseTimeToLiveResponse,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  TxnResponse,
  WatchResponse,
} from '../../kv/types.ts';
import {
  RawNumber,
  base64,
  goQuote,
  hex16,
  hexBytes,
  humanBytes,
  table,
  toJson,
} from './format.ts';

export class UnsupportedFormat extends Error {}

/** etcdserverpb.AlarmType's numbers. */
const ALARM_TYPES = ['NONE', 'NOSPACE', 'CORRUPT'];

export interface EndpointStatus {
  endpoint: string;
  header: ResponseHeader;
  version: string;
  dbSize: number;
  dbSizeInUse: number;
  leader: string;
  isLearner: boolean;
  raftTerm: number;
  raftIndex: number;
  raftAppliedIndex: number;
  /** Active alarms ("memberID:N alarm:NOSPACE "). */
  errors: string[];
}

export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  took: string;
  error: string;
}

export type OutputFormat = 'simple' | 'json' | 'fields' | 'table';

export class Display {
  constructor(
    private readonly format: OutputFormat,
    private readonly out: (text: string) => void,
    private readonly hex = false,
  ) {}

  get(r: RangeResponse, valueOnly = false): void {
    if (this.format === 'simple') for (const kv of r.kvs) this.simpleKv(kv, valueOnly);
    else if (this.format === 'json') this.json(rangeJson(r));
    else if (this.format === 'fields') this.fieldsGet(r);
    else this.unsupported();
  }

  put(r: PutResponse): void {
    if (this.format === 'simple') {
      this.line('OK');
      if (r.prevKv) this.simpleKv(r.prevKv);
    } else if (this.format === 'json') this.json(putJson(r));
    else if (this.format === 'fields') this.fieldsPut(r);
    else this.unsupported();
  }

  del(r: DeleteRangeResponse): void {
    if (this.format === 'simple') {
      this.line(String(r.deleted));
      for (const kv of r.prevKvs) this.simpleKv(kv);
    } else if (this.format === 'json') this.json(delJson(r));
    else if (this.format === 'fields') this.fieldsDel(r);
    else this.unsupported();
  }

  txn(r: TxnResponse): void {
    if (this.format === 'simple') {
      this.line(r.succeeded ? 'SUCCESS' : 'FAILURE');
      for (const op of r.responses) {
        this.line('');
        if ('put' in op) this.put(op.put);
        else if ('range' in op) this.get(op.range);
        else if ('deleteRange' in op) this.del(op.deleteRange);
        else this.txn(op.txn);
      }
    } else if (this.format === 'json') this.json(txnJson(r));
    else if (this.format === 'fields') this.fieldsTxn(r);
    else this.unsupported();
  }

  watch(r: WatchResponse): void {
    if (this.format === 'simple') {
      for (const e of r.events) {
        this.line(e.type);
        if (e.prevKv) this.simpleKv(e.prevKv);
        this.simpleKv(e.kv);
      }
    } else if (this.format === 'json') {
      this.json({
        Header: headerJson(r.header),
        Events: r.events.length
          ? r.events.map((e) => ({
              type: e.type === 'DELETE' ? 1 : undefined,
              kv: kvJson(e.kv),
              prev_kv: e.prevKv ? kvJson(e.prevKv) : undefined,
            }))
          : null,
        CompactRevision: r.compactRevision ?? 0,
        Canceled: !!r.canceled,
        Created: false,
      });
    } else if (this.format === 'fields') {
      this.hdr(r.header);
      for (const e of r.events) {
        this.line(`"Type" : ${e.type}`);
        this.fieldsKv('', e.kv);
        if (e.prevKv) this.fieldsKv('Prev', e.prevKv);
      }
    } else this.unsupported();
  }

  grant(r: LeaseGrantResponse): void {
    if (this.format === 'simple') this.line(`lease ${hex16(r.id)} granted with TTL(${r.ttl}s)`);
    else if (this.format === 'json')
      this.json({ ...flatHeader(r.header), ID: r.id, TTL: r.ttl, Error: '' });
    else if (this.format === 'fields') {
      this.hdr(r.header);
      this.line(`"ID" : ${r.id}`);
      this.line(`"TTL" : ${r.ttl}`);
    } else this.unsupported();
  }

  revoke(id: number, header: ResponseHeader): void {
    if (this.format === 'simple') this.line(`lease ${hex16(id)} revoked`);
    else if (this.format === 'json') this.json({ header: headerJson(header) });
    else if (this.format === 'fields') this.hdr(header);
    else this.unsupported();
  }

  keepAlive(r: { header: ResponseHeader; id: number; ttl: number }): void {
    if (this.format === 'simple') this.line(`lease ${hex16(r.id)} keepalived with TTL(${r.ttl})`);
    else if (this.format === 'json') this.json({ ...flatHeader(r.header), ID: r.id, TTL: r.ttl });
    else if (this.format === 'fields') {
      this.hdr(r.header);
      this.line(`"ID" : ${r.id}`);
      this.line(`"TTL" : ${r.ttl}`);
    } else this.unsupported();
  }

  timeToLive(r: LeaseTimeToLiveResponse, withKeys: boolean): void {
    if (this.format === 'simple') {
      if (r.grantedTtl === 0 && r.ttl === -1) {
        this.line(`lease ${hex16(r.id)} already expired`);
        return;
      }
      let text = `lease ${hex16(r.id)} granted with TTL(${r.grantedTtl}s), remaining(${r.ttl}s)`;
      if (withKeys) text += `, attached keys([${r.keys.join(' ')}])`;
      this.line(text);
    } else if (this.format === 'json') {
      this.json({
        ...flatHeader(r.header),
        id: r.id,
        ttl: r.ttl,
        'granted-ttl': r.grantedTtl,
        keys: r.keys.length ? r.keys.map(base64) : null,
      });
    } else if (this.format === 'fields') {
      this.hdr(r.header);
      this.line(`"ID" : ${r.id}`);
      this.line(`"TTL" : ${r.ttl}`);
      this.line(`"GrantedTTL" : ${r.grantedTtl}`);
      for (const k of r.keys) this.line(`"Key" : ${goQuote(k)}`);
    } else this.unsupported();
  }

  leases(r: { header: ResponseHeader; leases: number[] }): void {
    if (this.format === 'simple') {
      this.line(`found ${r.leases.length} leases`);
      for (const id of r.leases) this.line(hex16(id));
    } else if (this.format === 'json')
      this.json({ ...flatHeader(r.header), leases: r.leases.map((id) => ({ id })) });
    else if (this.format === 'fields') {
      this.hdr(r.header);
      for (const id of r.leases) this.line(`"ID" : ${id}`);
    } else this.unsupported();
  }

  compaction(rev: number, header: ResponseHeader): void {
    if (this.format === 'simple') this.line(`compacted revision ${rev}`);
    else if (this.format === 'json') this.json({ header: headerJson(header) });
    else if (this.format === 'fields') this.hdr(header);
    else this.unsupported();
  }

  /** printer_simple.go prints each alarm's protobuf text form; the JSON has no header (etcd
   * leaves it nil) and the alarm type as its enum number. */
  alarms(alarms: AlarmMember[]): void {
    if (this.format === 'simple')
      for (const a of alarms) this.line(`memberID:${a.memberId} alarm:${a.alarm} `);
    else if (this.format === 'json')
      this.json(
        alarms.length === 0
          ? {}
          : {
              alarms: alarms.map((a) => ({
                memberID: new RawNumber(a.memberId),
                alarm: ALARM_TYPES.indexOf(a.alarm),
              })),
            },
      );
    else this.unsupported();
  }

  memberList(header: ResponseHeader, members: KvMember[]): void {
    const rows = members.map((m) => [
      hex16(m.id),
      m.name ? 'started' : 'unstarted',
      m.name,
      m.peerUrls.join(','),
      m.clientUrls.join(','),
      String(m.isLearner),
    ]);
    if (this.format === 'simple') for (const r of rows) this.line(r.join(', '));
    else if (this.format === 'table')
      this.out(table(['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'], rows));
    else if (this.format === 'json')
      this.json({
        header: headerJson(header),
        members: members.map((m) => ({
          ID: new RawNumber(m.id),
          name: m.name || undefined,
          peerURLs: m.peerUrls.length ? m.peerUrls : undefined,
          clientURLs: m.clientUrls.length ? m.clientUrls : undefined,
          isLearner: m.isLearner || undefined,
        })),
      });
    else {
      this.hdr(header);
      for (const m of members) {
        this.line(`"ID" : ${m.id}`);
        this.line(`"Name" : ${goQuote(m.name)}`);
        for (const u of m.peerUrls) this.line(`"PeerURL" : ${goQuote(u)}`);
        for (const u of m.clientUrls) this.line(`"ClientURL" : ${goQuote(u)}`);
        this.line(`"IsLearner" : ${m.isLearner}`);
        this.line('');
      }
    }
  }

  endpointStatus(list: EndpointStatus[]): void {
    const rows = list.map((s) => [
      s.endpoint,
      hex16(s.header.memberId),
      s.version,
      humanBytes(s.dbSize),
      String(s.leader === s.header.memberId),
      String(s.isLearner),
      String(s.raftTerm),
      String(s.raftIndex),
      String(s.raftAppliedIndex),
      s.errors.join(', '),
    ]);
    if (this.format === 'simple') for (const r of rows) this.line(r.join(', '));
    else if (this.format === 'table') {
      const head = ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER'];
      head.push('RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS');
      this.out(table(head, rows));
    } else if (this.format === 'json') {
      this.json(
        list.map((s) => ({
          Endpoint: s.endpoint,
          Status: {
            header: headerJson(s.header),
            version: s.version,
            dbSize: s.dbSize,
            leader: new RawNumber(s.leader),
            raftIndex: s.raftIndex,
            raftTerm: s.raftTerm,
            raftAppliedIndex: s.raftAppliedIndex,
            errors: s.errors.length ? s.errors : undefined,
            dbSizeInUse: s.dbSizeInUse,
          },
        })),
      );
    } else {
      for (const s of list) {
        this.hdr(s.header);
        this.line(`"Version" : ${goQuote(s.version)}`);
        this.line(`"DBSize" : ${s.dbSize}`);
        this.line(`"Leader" : ${s.leader}`);
        this.line(`"IsLearner" : ${s.isLearner}`);
        this.line(`"RaftIndex" : ${s.raftIndex}`);
        this.line(`"RaftTerm" : ${s.raftTerm}`);
        this.line(`"RaftAppliedIndex" : ${s.raftAppliedIndex}`);
        this.line(`"Errors" : [${s.errors.join(' ')}]`);
        this.line(`"Endpoint" : ${goQuote(s.endpoint)}`);
        this.line('');
      }
    }
  }

  endpointHealth(list: EndpointHealth[]): void {
    if (this.format === 'simple') {
      for (const h of list) {
        if (h.health)
          this.line(`${h.endpoint} is healthy: successfully committed proposal: took = ${h.took}`);
        else this.line(`${h.endpoint} is unhealthy: failed to commit proposal: ${h.error}`);
      }
    } else if (this.format === 'table') {
      const rows = list.map((h) => [h.endpoint, String(h.health), h.took, h.error]);
      this.out(table(['ENDPOINT', 'HEALTH', 'TOOK', 'ERROR'], rows));
    } else if (this.format === 'json') {
      this.json(
        list.map((h) => ({
          endpoint: h.endpoint,
          health: h.health,
          took: h.took,
          error: h.error || undefined,
        })),
      );
    } else {
      for (const h of list) {
        this.line(`"Endpoint" : ${goQuote(h.endpoint)}`);
        this.line(`"Health" : ${h.health}`);
        this.line(`"Took" : ${h.took}`);
        this.line(`"Error" : ${h.error}`);
        this.line('');
      }
    }
  }

  private line(text: string): void {
    this.out(text + '\n');
  }

  private json(value: unknown): void {
    this.line(toJson(value));
  }

  private unsupported(): never {
    throw new UnsupportedFormat(`${this.format} not supported as output format`);
  }

  private simpleKv(kv: KeyValue, valueOnly = false): void {
    const k = this.hex ? hexBytes(kv.key) : kv.key;
    const v = this.hex ? hexBytes(kv.value) : kv.value;
    if (!valueOnly) this.line(k);
    this.line(v);
  }

  private hdr(h: ResponseHeader): void {
    this.line(`"ClusterID" : ${h.clusterId}`);
    this.line(`"MemberID" : ${h.memberId}`);
    this.line(`"Revision" : ${h.revision}`);
    this.line(`"RaftTerm" : ${h.raftTerm}`);
  }

  private fieldsKv(prefix: string, kv: KeyValue): void {
    this.line(`"${prefix}Key" : ${goQuote(kv.key)}`);
    this.line(`"${prefix}CreateRevision" : ${kv.createRevision}`);
    this.line(`"${prefix}ModRevision" : ${kv.modRevision}`);
    this.line(`"${prefix}Version" : ${kv.version}`);
    this.line(`"${prefix}Value" : ${goQuote(kv.value)}`);
    this.line(`"${prefix}Lease" : ${kv.lease}`);
  }

  private fieldsGet(r: RangeResponse): void {
    this.hdr(r.header);
    for (const kv of r.kvs) this.fieldsKv('', kv);
    this.line(`"More" : ${r.more}`);
    this.line(`"Count" : ${r.count}`);
  }

  private fieldsPut(r: PutResponse): void {
    this.hdr(r.header);
    if (r.prevKv) this.fieldsKv('Prev', r.prevKv);
  }

  private fieldsDel(r: DeleteRangeResponse): void {
    this.hdr(r.header);
    this.line(`"Deleted" : ${r.deleted}`);
    for (const kv of r.prevKvs) this.fieldsKv('Prev', kv);
  }

  private fieldsTxn(r: TxnResponse): void {
    this.hdr(r.header);
    this.line(`"Succeeded" : ${r.succeeded}`);
    for (const op of r.responses) {
      if ('put' in op) this.fieldsPut(op.put);
      else if ('range' in op) this.fieldsGet(op.range);
      else if ('deleteRange' in op) this.fieldsDel(op.deleteRange);
      else this.fieldsTxn(op.txn);
    }
  }
}

// JSON shapes of etcd's protobuf messages (encoding/json with omitempty tags).

const nonZero = (n: number) => (n ? n : undefined);

function headerJson(h: ResponseHeader) {
  return {
    cluster_id: h.clusterId !== '0' ? new RawNumber(h.clusterId) : undefined,
    member_id: h.memberId !== '0' ? new RawNumber(h.memberId) : undefined,
    revision: nonZero(h.revision),
    raft_term: nonZero(h.raftTerm),
  };
}

/** clientv3's lease responses embed the header, so its fields sit at the top level. */
function flatHeader(h: ResponseHeader) {
  return headerJson(h);
}

function kvJson(kv: KeyValue) {
  return {
    key: kv.key ? base64(kv.key) : undefined,
    create_revision: nonZero(kv.createRevision),
    mod_revision: nonZero(kv.modRevision),
    version: nonZero(kv.version),
    value: kv.value ? base64(kv.value) : undefined,
    lease: nonZero(kv.lease),
  };
}

function rangeJson(r: RangeResponse) {
  return {
    header: headerJson(r.header),
    kvs: r.kvs.length ? r.kvs.map(kvJson) : undefined,
    more: r.more || undefined,
    count: nonZero(r.count),
  };
}

function putJson(r: PutResponse) {
  return { header: headerJson(r.header), prev_kv: r.prevKv ? kvJson(r.prevKv) : undefined };
}

function delJson(r: DeleteRangeResponse) {
  return {
    header: headerJson(r.header),
    deleted: nonZero(r.deleted),
    prev_kvs: r.prevKvs.length ? r.prevKvs.map(kvJson) : undefined,
  };
}

function txnJson(r: TxnResponse): unknown {
  return {
    header: headerJson(r.header),
    succeeded: r.succeeded || undefined,
    responses: r.responses.length ? r.responses.map(responseOpJson) : undefined,
  };
}

function responseOpJson(op: ResponseOp) {
  if ('put' in op) return { Response: { ResponsePut: putJson(op.put) } };
  if ('range' in op) return { Response: { ResponseRange: rangeJson(op.range) } };
  if ('deleteRange' in op) return { Response: { ResponseDeleteRange: delJson(op.deleteRange) } };
  return { Response: { ResponseTxn: txnJson(op.txn) } };
}
