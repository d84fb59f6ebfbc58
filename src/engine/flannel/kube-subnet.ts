// flanneld --kube-subnet-mgr (pkg/subnet/kube/kube.go): the lease is the Node's spec.podCIDR,
// which kube-controller-manager's node IPAM assigned; flanneld writes its lease attributes as
// the node's annotations (<prefix>/backend-data, backend-type, kube-subnet-manager, public-ip)
// and learns the other nodes' leases by watching the nodes. The network config is the
// ConfigMap's net-conf.json, mounted at --net-config-path. No etcd lease, no renewal: main.go
// runs MonitorLease only without --kube-subnet-mgr (a lease here has expiration 0).

import type { KvClient, Watcher } from '../kv/types.ts';
import type { LabClock } from '../os/clock.ts';
import type { FileSystem } from '../os/fs-types.ts';
import { nodePodCidr } from '../kube/node-ipam.ts';
import { KubeError, KubeStore, kubeTime, type KubeObject } from '../kube/store.ts';
import type { NetworkConfig } from './config.ts';
import { formatIp4Net, netContains, parseIp4Net } from './ip4.ts';
import type { Lease, LeaseAttrs } from './lease.ts';
import { FlannelError, type LeaseEvent, type SubnetManager } from './registry.ts';

export class KubeSubnetManager implements SubnetManager {
  private readonly store: KubeStore;
  private readonly netConf: string;

  constructor(
    kv: KvClient,
    private readonly clock: LabClock,
    random: () => number,
    fs: FileSystem,
    private readonly nodeName: string,
    netConfigPath: string,
    private readonly annotationPrefix: string,
  ) {
    this.store = new KubeStore(kv, clock, random);
    if (!fs.exists(netConfigPath))
      throw new FlannelError(
        `failed to read net conf: open ${netConfigPath}: no such file or directory`,
      );
    this.netConf = new TextDecoder().decode(fs.readFile(netConfigPath));
  }

  get name(): string {
    return `Kubernetes Subnet Manager - ${this.nodeName}`;
  }

  private annotation(name: string): string {
    return `${this.annotationPrefix}/${name}`;
  }

  async getNetworkConfig(): Promise<string> {
    return this.netConf;
  }

  /** AcquireLease: the node's podCIDR; the annotations and NetworkUnavailable=False written. */
  async acquireLease(config: NetworkConfig, attrs: LeaseAttrs): Promise<Lease> {
    let node: KubeObject;
    try {
      node = await this.store.get('nodes', this.nodeName);
    } catch (err) {
      if (err instanceof KubeError) throw new FlannelError(`nodes "${this.nodeName}" not found`);
      throw err;
    }
    const cidr = nodePodCidr(node);
    if (!cidr) throw new FlannelError(`node "${this.nodeName}" pod cidr not assigned`);
    const subnet = parseIp4Net(cidr)!;
    if (!netContains(config.network, subnet.ip) || subnet.prefixLen < config.network.prefixLen)
      throw new FlannelError(
        `subnet "${formatIp4Net(config.network)}" specified in the flannel net config doesn't contain "${cidr}" PodCIDR of the "${this.nodeName}" node`,
      );
    const wanted: Record<string, string> = {
      [this.annotation('backend-data')]: JSON.stringify(attrs.backendData ?? null),
      [this.annotation('backend-type')]: attrs.backendType ?? '',
      [this.annotation('kube-subnet-manager')]: 'true',
      [this.annotation('public-ip')]: attrs.publicIP,
    };
    const now = kubeTime(this.clock.now());
    await this.store.update('nodes', this.nodeName, undefined, (n) => {
      n.metadata.annotations = { ...n.metadata.annotations, ...wanted };
      const status = (n.status ??= {});
      const conditions = ((status.conditions as Record<string, string>[] | undefined) ?? []).filter(
        (c) => c.type !== 'NetworkUnavailable',
      );
      conditions.unshift({
        type: 'NetworkUnavailable',
        status: 'False',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
        reason: 'FlannelIsUp',
        message: 'Flannel is running on this node',
      });
      status.conditions = conditions;
    });
    return { subnet, attrs, expiration: 0 };
  }

  /** A node's lease, when its flanneld has annotated it (kube-subnet-manager: "true"). */
  private leaseOf(node: KubeObject): Lease | undefined {
    const a = node.metadata.annotations ?? {};
    const cidr = nodePodCidr(node);
    const subnet = cidr && parseIp4Net(cidr);
    if (a[this.annotation('kube-subnet-manager')] !== 'true' || !subnet) return undefined;
    const attrs: LeaseAttrs = { publicIP: a[this.annotation('public-ip')] ?? '' };
    const type = a[this.annotation('backend-type')];
    if (type) attrs.backendType = type;
    try {
      const data = JSON.parse(a[this.annotation('backend-data')] ?? 'null') as unknown;
      if (data && typeof data === 'object') attrs.backendData = data as Record<string, unknown>;
    } catch {
      // flannel logs "error decoding BackendData" and uses the lease without it.
    }
    return { subnet, attrs, expiration: 0 };
  }

  async getSubnets(): Promise<{ leases: Lease[]; revision: number }> {
    const { items, revision } = await this.store.list('nodes');
    const leases = items.map((n) => this.leaseOf(n)).filter((l): l is Lease => l !== undefined);
    return { leases, revision };
  }

  /** The node informer: an update counts only when the lease annotations or podCIDR changed. */
  watchSubnets(
    startRevision: number,
    onEvents: (events: LeaseEvent[]) => void,
    onCanceled: () => void,
  ): Watcher {
    return this.store.watch(
      'nodes',
      startRevision,
      (ev) => {
        const lease = this.leaseOf(ev.object);
        if (!lease) return;
        if (ev.type === 'DELETED') return onEvents([{ type: 'removed', lease }]);
        const before = ev.previous && this.leaseOf(ev.previous);
        if (before && JSON.stringify(before) === JSON.stringify(lease)) return;
        onEvents([{ type: 'added', lease }]);
      },
      onCanceled,
    );
  }

  /** kube.go's RenewLease: never called, as main.go does not monitor a kube lease. */
  async updateSubnet(): Promise<number> {
    throw new FlannelError('not implemented');
  }
}
