// flannel's etcd v3 subnet registry and local manager (pkg/subnet/etcd/{registry,local_manager}.go):
// config fetch, lease listing, acquisition in flannel's order, renewal and the lease watch.

import { subnetFitsConfig } from './config.ts';
import type { NetworkConfig } from './config.ts';
import { formatIp4, formatIp4Net, netsEqual, netsOverlap } from './ip4.ts';
import type { Ip4Net } from './ip4.ts';
import { formatLeaseAttrs, makeSubnetKey, parseLeaseAttrs, parseSubnetKey } from './lease.ts';
import type { Lease, LeaseAttrs } from './lease.ts';
import type { Klog } from './klog.ts';
import { prefixEnd } from '../kv/key-range.ts';
import type { KeyValue, KvClient, WatchResponse, Watcher } from '../kv/types.ts';
import type { LabClock } from '../os/clock.ts';

/** 24 h, in seconds: every create or renewal grants a fresh etcd lease of this TTL. */
export const SUBNET_TTL_SECONDS = 86_400;
const RACE_RETRIES = 10;
const MAX_CANDIDATES = 100;

export class FlannelError extends Error {}

export const CONFIG_NOT_FOUND =
  'flannel config not found in etcd store. Did you create your config using etcdv3 API?';

export type LeaseEvent = { type: 'added' | 'removed'; lease: Lease };

/** What flanneld asks of its subnet manager: etcd's (this registry) or kube's (kube-subnet.ts). */
export interface SubnetManager {
  getNetworkConfig(): Promise<string>;
  getSubnets(): Promise<{ leases: Lease[]; revision: number }>;
  watchSubnets(
    startRevision: number,
    onEvents: (events: LeaseEvent[]) => void,
    onCanceled: () => void,
  ): Watcher;
  updateSubnet(subnet: Ip4Net, attrs: LeaseAttrs, ttlSeconds: number): Promise<number>;
}

export class SubnetRegistry implements SubnetManager {
  constructor(
    private readonly kv: KvClient,
    private readonly prefix: string,
    private readonly clock: LabClock,
    private readonly log: Klog,
  ) {}

  get subnetsPrefix(): string {
    return `${this.prefix}/subnets/`;
  }

  subnetKey(subnet: Ip4Net): string {
    return this.subnetsPrefix + makeSubnetKey(subnet);
  }

  async getNetworkConfig(): Promise<string> {
    const res = await this.kv.range({ key: `${this.prefix}/config` });
    if (res.kvs.length === 0) throw new FlannelError(CONFIG_NOT_FOUND);
    return res.kvs[0].value;
  }

  /** Turns a stored key/value into a lease, asking etcd for the remaining TTL. */
  async toLease(kv: KeyValue): Promise<Lease | undefined> {
    const subnet = parseSubnetKey(kv.key);
    if (!subnet) {
      this.log.info('registry.go:354', `${kv.key} is not a subnet, skipping`);
      return undefined;
    }
    const attrs = parseLeaseAttrs(kv.value);
    if (!attrs) return undefined;
    let expiration = 0;
    if (kv.lease !== 0) {
      const ttl = await this.kv.leaseTimeToLive(kv.lease);
      expiration = this.clock.now() + Math.max(ttl.ttl, 0) * 1000;
    }
    return { subnet, attrs, expiration };
  }

  async getSubnets(): Promise<{ leases: Lease[]; revision: number }> {
    const res = await this.kv.range({
      key: this.subnetsPrefix,
      rangeEnd: prefixEnd(this.subnetsPrefix),
    });
    // One TimeToLive per lease, as flannel asks; in flight together (flannel's Go client waits
    // for each in turn, which costs nothing there but a round trip per node here).
    const leases = (await Promise.all(res.kvs.map((kv) => this.toLease(kv)))).filter(
      (l): l is Lease => l !== undefined,
    );
    return { leases, revision: res.header.revision };
  }

  /** Create-if-absent: txn If(Version(key)=0) Then(Put WithLease); a lost race revokes the grant. */
  async createSubnet(subnet: Ip4Net, attrs: LeaseAttrs): Promise<number> {
    const grant = await this.kv.leaseGrant(SUBNET_TTL_SECONDS);
    const key = this.subnetKey(subnet);
    const res = await this.kv.txn({
      compare: [{ key, target: 'version', result: '=', operand: 0 }],
      success: [{ put: { key, value: formatLeaseAttrs(attrs), lease: grant.id } }],
      failure: [],
    });
    if (!res.succeeded) {
      await this.kv.leaseRevoke(grant.id);
      throw new FlannelError('subnet already exists');
    }
    return this.clock.now() + grant.ttl * 1000;
  }

  /** Re-puts the value with a new lease (ttl 0: a reservation, no lease). Returns the expiration. */
  async updateSubnet(subnet: Ip4Net, attrs: LeaseAttrs, ttlSeconds: number): Promise<number> {
    const key = this.subnetKey(subnet);
    if (ttlSeconds === 0) {
      await this.kv.put({ key, value: formatLeaseAttrs(attrs) });
      return 0;
    }
    const grant = await this.kv.leaseGrant(ttlSeconds);
    await this.kv.put({ key, value: formatLeaseAttrs(attrs), lease: grant.id });
    return this.clock.now() + grant.ttl * 1000;
  }

  async deleteSubnet(subnet: Ip4Net): Promise<void> {
    await this.kv.deleteRange({ key: this.subnetKey(subnet) });
  }

  /**
   * Watches keys from `startRevision`, turning PUT/DELETE into Added/Removed. Responses are
   * handled one after another, as flannel's watch goroutine does: a PUT waits for its lease's
   * TTL, and a DELETE that came after it must not be delivered first. A Removed lease carries
   * the deleted value's attrs; the watcher's own cache of peers (flanneld's) knows better.
   */
  watchSubnets(
    startRevision: number,
    onEvents: (events: LeaseEvent[]) => void,
    onCanceled: () => void,
  ): Watcher {
    return this.watch(this.subnetsPrefix, true, startRevision, onEvents, onCanceled);
  }

  watch(
    key: string,
    prefix: boolean,
    startRevision: number,
    onEvents: (events: LeaseEvent[]) => void,
    onCanceled: () => void,
  ): Watcher {
    let handled = Promise.resolve();
    const handle = async (res: WatchResponse): Promise<void> => {
      if (res.canceled) {
        onCanceled();
        return;
      }
      const out: LeaseEvent[] = [];
      for (const ev of res.events) {
        const subnet = parseSubnetKey(ev.kv.key);
        if (!subnet) continue;
        if (ev.type === 'PUT') {
          try {
            const lease = await this.toLease(ev.kv);
            if (lease) out.push({ type: 'added', lease });
          } catch (err) {
            // Logged as watchSubnets logs it; the event is dropped (the peer's renewal re-PUTs).
            const msg = err instanceof Error ? err.message : String(err);
            this.log.warning(
              'registry.go:383',
              'Watch of subnet leases failed because header revision != 0',
            );
            this.log.error('registry.go:391', `error parsing etcd event: ${msg}`);
          }
        } else {
          const attrs = (ev.prevKv && parseLeaseAttrs(ev.prevKv.value)) || { publicIP: '0.0.0.0' };
          out.push({ type: 'removed', lease: { subnet, attrs, expiration: 0 } });
        }
      }
      if (out.length > 0) onEvents(out);
    };
    return this.kv.watch(
      { key, rangeEnd: prefix ? prefixEnd(key) : undefined, startRevision, prevKv: true },
      (res) => {
        handled = handled.then(() => handle(res));
      },
    );
  }
}

/** Picks among the first 100 free subnets from SubnetMin, uniformly at random. */
export function allocateSubnet(
  config: NetworkConfig,
  leases: Lease[],
  random: () => number,
  log: Klog,
): Ip4Net {
  log.info(
    'local_manager.go:244',
    `Picking subnet in range ${formatIp4(config.subnetMin)} ... ${formatIp4(config.subnetMax)}`,
  );
  const step = 2 ** (32 - config.subnetLen);
  const candidates: Ip4Net[] = [];
  for (
    let ip = config.subnetMin;
    ip <= config.subnetMax && candidates.length < MAX_CANDIDATES;
    ip += step
  ) {
    const subnet = { ip, prefixLen: config.subnetLen };
    if (!leases.some((l) => netsOverlap(l.subnet, subnet))) candidates.push(subnet);
  }
  if (candidates.length === 0) throw new FlannelError('out of subnets');
  return candidates[Math.min(candidates.length - 1, Math.floor(random() * candidates.length))];
}

/** AcquireLease: reuse by PublicIP, then the previous subnet if free, then a new one; txn-claimed. */
export async function acquireLease(
  registry: SubnetRegistry,
  config: NetworkConfig,
  attrs: LeaseAttrs,
  previousSubnet: Ip4Net | undefined,
  random: () => number,
  log: Klog,
): Promise<Lease> {
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    const { leases } = await registry.getSubnets();
    const mine = leases.find((l) => l.attrs.publicIP === attrs.publicIP);
    if (mine) {
      if (subnetFitsConfig(config, mine.subnet)) {
        log.info(
          'local_manager.go:171',
          `Found lease (ip: ${formatIp4Net(mine.subnet)} ipv6: ::/0) for current IP (${attrs.publicIP}), reusing`,
        );
        const ttl = mine.expiration === 0 ? 0 : SUBNET_TTL_SECONDS;
        const expiration = await registry.updateSubnet(mine.subnet, attrs, ttl);
        return { subnet: mine.subnet, attrs, expiration };
      }
      log.info(
        'local_manager.go:184',
        `Found lease (${formatIp4Net(mine.subnet)}) for current IP (${attrs.publicIP}) but not compatible with current config, deleting`,
      );
      await registry.deleteSubnet(mine.subnet);
    }

    let subnet: Ip4Net | undefined;
    if (previousSubnet && !leases.some((l) => netsEqual(l.subnet, previousSubnet))) {
      if (subnetFitsConfig(config, previousSubnet)) {
        log.info(
          'local_manager.go:198',
          `Found previously leased subnet (${formatIp4Net(previousSubnet)}), reusing`,
        );
        subnet = previousSubnet;
      } else {
        log.error(
          'local_manager.go:201',
          `Found previously leased subnet (${formatIp4Net(previousSubnet)}) that is not compatible with the Etcd network config, ignoring`,
        );
      }
    }
    subnet ??= allocateSubnet(config, leases, random, log);

    // A lost race is fatal (see the spec: only ErrDuplicateKey would retry, and a txn never
    // returns it), so the error propagates; the loop retries only a reuse that found nothing.
    const expiration = await registry.createSubnet(subnet, attrs);
    log.info(
      'local_manager.go:238',
      `Allocated lease (ip: ${formatIp4Net(subnet)} ipv6: ::/0) to current node (${attrs.publicIP}) `,
    );
    return { subnet, attrs, expiration };
  }
  throw new FlannelError('max retries reached trying to acquire a subnet');
}
