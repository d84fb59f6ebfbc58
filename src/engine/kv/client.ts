// The KvClient over an in-process KvServer: async like a network client, and every response is
// a fresh copy, so callers can never change the store's records.

import type { KvServer } from './server.ts';
import type { KvClient, KvMember, WatchResponse } from './types.ts';
import { toKeyValue } from './server.ts';
import { ETCD_VERSION } from './server.ts';

export function createKvClient(server: KvServer): KvClient {
  // Each call runs after the caller's current job, as a request over a connection would.
  const call = <T>(fn: () => T): Promise<T> => Promise.resolve().then(() => structuredClone(fn()));

  return {
    range: (req) => call(() => server.range(req)),
    put: (req) => call(() => server.put(req)),
    deleteRange: (req) => call(() => server.deleteRange(req)),
    txn: (req) => call(() => server.txn(req)),
    compact: (revision) => call(() => ({ header: server.compact(revision) })),

    leaseGrant: (ttl, id) =>
      call(() => ({ header: server.header(), ...server.leaseGrant(ttl, id) })),
    leaseRevoke: (id) =>
      call(() => {
        server.leaseRevoke(id);
        return { header: server.header() };
      }),
    leaseKeepAlive: (id) =>
      call(() => ({ header: server.header(), id, ttl: server.leaseKeepAlive(id) })),
    leaseTimeToLive: (id, keys) =>
      call(() => {
        const res = server.leaseTimeToLive(id);
        return { header: server.header(), id, ...res, keys: keys ? res.keys : [] };
      }),
    leaseList: () =>
      call(() => ({ header: server.header(), leases: server.lessor.list().map((l) => l.id) })),

    watch(req, onResponse) {
      const cancel = server.watch(req, (batch) => {
        const res: WatchResponse = {
          header: server.header(batch.revision),
          events: batch.events.map((e) => ({
            type: e.type,
            kv: e.type === 'DELETE' ? tombstoneKv(e.kv.key, e.kv.modRevision) : toKeyValue(e.kv),
            ...(e.prevKv ? { prevKv: toKeyValue(e.prevKv) } : {}),
          })),
        };
        if (batch.canceled) {
          res.canceled = true;
          res.compactRevision = batch.canceled.compactRevision;
          res.cancelReason = batch.canceled.reason;
        }
        onResponse(res);
      });
      return { cancel };
    },

    status: () =>
      call(() => ({
        header: server.header(),
        version: ETCD_VERSION,
        dbSize: server.dbSize(),
        dbSizeInUse: server.dbSize() - 8192,
        leader: server.memberId,
        raftIndex: server.raftIndex,
        raftAppliedIndex: server.raftIndex,
        raftTerm: server.header().raftTerm,
        isLearner: false,
        errors: server.alarmList().map((a) => `memberID:${server.memberId} alarm:${a} `),
      })),

    alarmList: () => call(() => alarmResponse(server, server.alarmList())),
    alarmDisarm: () => call(() => alarmResponse(server, server.alarmDisarm())),

    memberList: () =>
      call(() => {
        const member: KvMember = {
          id: server.memberId,
          name: server.member.name,
          peerUrls: server.member.peerUrls,
          clientUrls: server.member.clientUrls,
          isLearner: false,
        };
        return { header: { ...server.header(), revision: 0 }, members: [member] };
      }),
  };
}

function alarmResponse(server: KvServer, alarms: readonly ('NOSPACE' | 'CORRUPT')[]) {
  return {
    header: server.header(),
    alarms: alarms.map((alarm) => ({ memberId: server.memberId, alarm })),
  };
}

/** A DELETE event's kv carries only the key and the deletion's revision, as in etcd. */
function tombstoneKv(key: string, modRevision: number) {
  return { key, value: '', createRevision: 0, modRevision, version: 0, lease: 0 };
}
