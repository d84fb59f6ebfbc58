// flanneld (main.go) in etcd mode, or with --kube-subnet-mgr over the Node objects (kube-subnet.ts): flags,
// lease acquisition, iptables rules, subnet.env, the lease watch and the renew loop.
// Everything runs on the lab clock; nothing is cleaned up when the daemon stops.

import { Netfilter } from '../kernel/netfilter.ts';
import { NetlinkError, ROOT_NS } from '../kernel/types.ts';
import type { KernelApi } from '../kernel/types.ts';
import type { KvClient, Watcher } from '../kv/types.ts';
import { scopedClock, type LabClock } from '../os/clock.ts';
import type { FileSystem } from '../os/fs-types.ts';
import { ConfigError, parseNetworkConfig } from './config.ts';
import type { NetworkConfig } from './config.ts';
import { FlagError, parseFlags } from './flags.ts';
import type { FlanneldFlags } from './flags.ts';
import { formatIp4Net, netsEqual, parseIp4 } from './ip4.ts';
import type { Ip4Net } from './ip4.ts';
import { Klog, goDuration, goTime } from './klog.ts';
import type { LogSink } from './klog.ts';
import { applyRules, forwardRules, masqRules, rulesPresent } from './iptables-rules.ts';
import type { RuleSpec } from './iptables-rules.ts';
import type { Lease } from './lease.ts';
import { FlannelError, SUBNET_TTL_SECONDS, SubnetRegistry, acquireLease } from './registry.ts';
import type { LeaseEvent, SubnetManager } from './registry.ts';
import { KubeSubnetManager } from './kube-subnet.ts';
import { readPrevious, writeSubnetEnv } from './subnet-env.ts';
import type { BackendContext, BackendNetwork, ExternalInterface } from './backends/common.ts';
import { goErr } from './backends/common.ts';
import { deleteHostGwRoutes } from './backends/hostgw.ts';
import { deleteVxlanDevices, parseVxlanOptions } from './backends/vxlan.ts';
import { CREATE_BACKEND } from './backends/create.ts';
import { BACKENDS, isBackendType } from './backends/index.ts';

export interface FlanneldContext {
  kernel: KernelApi;
  /** The lab's etcd; undefined when the host cannot reach one. */
  kv?: KvClient;
  fs: FileSystem;
  clock: LabClock;
  hostname: string;
  /** klog lines (stderr, which systemd puts in the journal). */
  log: LogSink;
  /** Plain stdout lines (flanneld prints a bare 'timed out' there). */
  stdout?: (line: string) => void;
  random: () => number;
  pid?: number;
  /** Defaults to the kernel's `netfilter`. */
  netfilter?: Netfilter;
  /** sd_notify: flanneld.service is Type=notify and waits for READY=1. */
  notify?: (state: string) => void;
}

export interface FlanneldProcess {
  readonly pid: number;
  /** SIGTERM: the daemon exits 0 and leaves its kernel state and lease behind. */
  stop(): void;
  readonly exited: Promise<number>;
  /** The lease once acquired. */
  lease(): Lease | undefined;
}

const CONFIG_RETRY_MS = 1000;
const RENEW_RETRY_MS = 60_000;
const WATCH_RETRY_MS = 1000;

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function netfilterOf(kernel: KernelApi): Netfilter | undefined {
  const nf = (kernel as KernelApi & { netfilter?: unknown }).netfilter;
  return nf instanceof Netfilter ? nf : undefined;
}

export function startFlanneld(ctx: FlanneldContext, argv: string[]): FlanneldProcess {
  const daemon = new Flanneld(ctx);
  const exited = daemon.run(argv.slice(1));
  return {
    pid: daemon.pid,
    stop: () => daemon.stop(),
    exited,
    lease: () => daemon.currentLease,
  };
}

class Flanneld {
  readonly pid: number;
  readonly log: Klog;
  currentLease: Lease | undefined;
  private stopped = false;
  private finish: (code: number) => void = () => {};
  /** The daemon's timers: each forgets itself once it fires, and stop() cancels the rest. */
  private readonly timers: LabClock & { dispose(): void };
  private watcher: Watcher | null = null;
  private backend: BackendNetwork | null = null;
  private renewCancel: (() => void) | null = null;
  /** The peers' leases, as flannel's LeaseWatcher keeps them: Removed events take their attrs. */
  private readonly peers = new Map<string, Lease>();

  constructor(private readonly ctx: FlanneldContext) {
    this.timers = scopedClock(ctx.clock);
    this.pid = ctx.pid ?? 1000 + Math.floor(ctx.random() * 9000);
    this.log = new Klog(ctx.log, () => ctx.clock.now(), this.pid);
  }

  run(args: string[]): Promise<number> {
    return new Promise<number>((resolve) => {
      let done = false;
      this.finish = (code) => {
        if (done) return;
        done = true;
        this.stopped = true;
        this.teardown();
        resolve(code);
      };
      this.main(args).catch((err: unknown) => {
        if (err instanceof Exit) this.finish(err.code);
        else if (this.stopped) this.finish(0);
        else {
          this.log.error('main.go:363', `Unexpected error: ${goErr(err)}`);
          this.finish(1);
        }
      });
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.log.info('main.go:459', 'Exiting cleanly...');
    this.finish(0);
  }

  /** Stops timers, watches and the udp proxy; kernel state, iptables rules and the lease stay. */
  private teardown(): void {
    this.timers.dispose();
    this.renewCancel?.();
    this.watcher?.cancel();
    this.watcher = null;
    this.backend?.stop();
  }

  private fatal(where: string, msg: string): never {
    this.log.error(where, msg);
    throw new Exit(1);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.setTimer(ms, resolve));
  }

  private checkRunning(): void {
    if (this.stopped) throw new Exit(0);
  }

  private async main(args: string[]): Promise<void> {
    let flags: FlanneldFlags;
    try {
      flags = parseFlags(args);
    } catch (err) {
      if (err instanceof FlagError) {
        this.ctx.log(err.message);
        throw new Exit(2);
      }
      throw err;
    }
    if (flags.subnetLeaseRenewMargin >= 24 * 60 || flags.subnetLeaseRenewMargin <= 0)
      this.fatal(
        'main.go:205',
        'Invalid subnet-lease-renew-margin option, out of acceptable range',
      );

    const prev = readPrevious(this.ctx.fs, flags.subnetFile, 'FLANNEL_SUBNET');
    const registry = this.newSubnetManager(flags);
    this.log.info(
      'main.go:241',
      `Created subnet manager: ${registry instanceof KubeSubnetManager ? registry.name : `Etcd Local Manager with Previous Subnet: ${prev ? formatIp4Net(prev) : 'None'}`}`,
    );
    this.log.info('main.go:244', 'Installing signal handlers');
    const ext = this.lookupExtIface(flags);
    this.checkBrNetfilter();

    const config = await this.getConfig(registry);
    this.checkRunning();

    const backendCtx: BackendContext = {
      kernel: this.ctx.kernel,
      ext,
      config,
      log: this.log,
      random: this.ctx.random,
      setTimer: (ms, fn) => this.timers.setTimer(ms, fn),
    };
    const backend = this.createBackend(backendCtx, config);
    this.backend = backend;
    this.deleteOtherBackends(
      config,
      ext,
      readPrevious(this.ctx.fs, flags.subnetFile, 'FLANNEL_NETWORK'),
    );

    let lease: Lease;
    try {
      lease =
        registry instanceof KubeSubnetManager
          ? await registry.acquireLease(config, backend.leaseAttrs())
          : await acquireLease(
              registry!,
              config,
              backend.leaseAttrs(),
              prev,
              this.ctx.random,
              this.log,
            );
    } catch (err) {
      this.checkRunning();
      this.fatal(
        'main.go:377',
        `Error registering network: failed to acquire lease: ${goErr(err)}`,
      );
    }
    this.checkRunning();
    this.currentLease = lease;
    try {
      backend.configure(lease);
    } catch (err) {
      this.fatal(
        'main.go:377',
        `Error registering network: failed to configure interface ${ext.name}: ${goErr(err)}`,
      );
    }

    this.setUpIptables(flags, config, lease);

    writeSubnetEnv(this.ctx.fs, flags.subnetFile, {
      network: config.network,
      subnet: lease.subnet,
      mtu: backend.mtu,
      ipMasq: flags.ipMasq,
    });
    this.log.info('main.go:407', `Wrote subnet file to ${flags.subnetFile}`);
    this.log.info('main.go:411', 'Running backend.');
    // main.go: daemon.SdNotify(false, "READY=1") once subnet.env exists and the backend runs.
    this.ctx.notify?.('READY=1');
    this.log.info('main.go:415', 'flannel is ready');

    const type = config.backendType;
    const [where, text] = (isBackendType(type) ? BACKENDS[type] : BACKENDS.vxlan).watchLog;
    this.log.info(where, text);
    await this.watchLeases(registry!, flags);
    this.scheduleRenew(registry!, flags, lease.expiration);
    // The daemon now lives on its timers and watch; run() resolves when it exits.
    await new Promise<never>(() => {});
  }

  /** etcd's local manager, or with --kube-subnet-mgr the Node objects' (main.go newSubnetManager). */
  private newSubnetManager(flags: FlanneldFlags): SubnetRegistry | KubeSubnetManager | null {
    const { kv, clock, random, fs, hostname } = this.ctx;
    if (!kv) return null;
    if (!flags.kubeSubnetMgr) return new SubnetRegistry(kv, flags.etcdPrefix, clock, this.log);
    try {
      const { netConfigPath, kubeAnnotationPrefix } = flags;
      return new KubeSubnetManager(
        kv,
        clock,
        random,
        fs,
        hostname,
        netConfigPath,
        kubeAnnotationPrefix,
      );
    } catch (err) {
      this.fatal('main.go:236', `Failed to create SubnetManager: ${goErr(err)}`);
    }
  }

  /** --iface (name or address), else the default route's interface and its first IPv4 address. */
  private lookupExtIface(flags: FlanneldFlags): ExternalInterface {
    const { kernel } = this.ctx;
    let ifindex: number | undefined;
    if (flags.iface.length > 0) {
      for (const wanted of flags.iface) {
        if (parseIp4(wanted) !== undefined) {
          ifindex = kernel.addrDump(ROOT_NS).find((a) => a.local === wanted)?.ifindex;
        } else {
          try {
            ifindex = kernel.linkGet(ROOT_NS, wanted).ifindex;
          } catch {
            ifindex = undefined;
          }
        }
        if (ifindex !== undefined) break;
      }
      if (ifindex === undefined)
        this.fatal(
          'main.go:286',
          `Failed to find interface to use that matches the interfaces and/or regexes provided`,
        );
    } else {
      this.log.info('main.go:522', 'Determining IP address of default interface');
      const route = kernel
        .routeDump(ROOT_NS, 'main')
        .find((r) => r.dst === '0.0.0.0' && r.dstLen === 0);
      if (!route?.oif)
        this.fatal(
          'main.go:297',
          'Failed to find any valid interface to use: failed to get default interface: unable to find default route',
        );
      ifindex = route.oif;
    }
    const link = kernel.linkGet(ROOT_NS, ifindex);
    const addr = kernel.addrDump(ROOT_NS).find((a) => a.ifindex === ifindex);
    if (!addr)
      this.fatal(
        'main.go:297',
        `Failed to find any valid interface to use: failed to find IPv4 address for interface ${link.name}`,
      );
    this.log.info(
      'main.go:535',
      `Using interface with name ${link.name} and address ${addr.local}`,
    );
    let publicIP = addr.local;
    if (flags.publicIP) {
      if (parseIp4(flags.publicIP) === undefined)
        this.fatal(
          'main.go:297',
          `Failed to find any valid interface to use: invalid public IP address: ${flags.publicIP}`,
        );
      publicIP = flags.publicIP;
    } else {
      this.log.info(
        'main.go:552',
        `Defaulting external address to interface address (${addr.local})`,
      );
    }
    return {
      name: link.name,
      ifindex: link.ifindex,
      ifaceAddr: addr.local,
      publicIP,
      mtu: link.mtu,
    };
  }

  private checkBrNetfilter(): void {
    try {
      this.ctx.kernel.sysctlGet(ROOT_NS, 'net.bridge.bridge-nf-call-iptables');
    } catch (err) {
      if (err instanceof NetlinkError)
        this.fatal(
          'main.go:333',
          'Failed to check br_netfilter: stat /proc/sys/net/bridge/bridge-nf-call-iptables: no such file or directory',
        );
      throw err;
    }
  }

  /** Retries every second, printing 'timed out' between attempts, as main.go:getConfig does. */
  private async getConfig(registry: SubnetManager | null): Promise<NetworkConfig> {
    for (;;) {
      try {
        if (!registry) throw new FlannelError('context deadline exceeded');
        const config = parseNetworkConfig(await registry.getNetworkConfig());
        this.log.info('main.go:611', `Found network config - Backend type: ${config.backendType}`);
        return config;
      } catch (err) {
        this.checkRunning();
        if (!(err instanceof ConfigError || err instanceof FlannelError || err instanceof Error))
          throw err;
        this.log.error('main.go:602', `Couldn't fetch network config: ${err.message}`);
      }
      await this.sleep(CONFIG_RETRY_MS);
      this.checkRunning();
      this.ctx.stdout?.('timed out');
    }
  }

  /**
   * A host switched from another backend (new config, `systemctl restart flanneld`) keeps what
   * the old one made, since no flanneld cleans up on exit; real flannel leaves it there too
   * (flannel.1 and host-gw's routes, which outrank udp's /16). The playground removes it before
   * the new backend programs peers, so a switched host holds what a fresh host of that backend holds.
   * udp needs nothing: flannel0 and its route vanish with the old process's TUN fd.
   */
  private deleteOtherBackends(
    config: NetworkConfig,
    ext: ExternalInterface,
    previousNetwork: Ip4Net | undefined,
  ): void {
    const { kernel } = this.ctx;
    const vxlan = config.backendType === 'vxlan' ? parseVxlanOptions(config.backend) : undefined;
    deleteVxlanDevices(kernel, vxlan && `flannel.${vxlan.vni}`);
    // host-gw's routes are its own, and vxlan's DirectRouting makes the same ones.
    if (config.backendType === 'host-gw' || vxlan?.directRouting) return;
    const networks = previousNetwork ? [config.network, previousNetwork] : [config.network];
    deleteHostGwRoutes(kernel, ext.ifindex, networks);
  }

  private createBackend(ctx: BackendContext, config: NetworkConfig): BackendNetwork {
    const type = config.backendType;
    if (!isBackendType(type))
      this.fatal('main.go:353', `Error fetching backend: unknown backend type: ${type}`);
    try {
      return CREATE_BACKEND[type](ctx, config);
    } catch (err) {
      if (BACKENDS[type].failsIn === 'New')
        this.fatal('main.go:353', `Error fetching backend: ${goErr(err)}`);
      this.fatal(
        'main.go:377',
        `Error registering network: failed to create device: ${goErr(err)}`,
      );
    }
  }

  private setUpIptables(flags: FlanneldFlags, config: NetworkConfig, lease: Lease): void {
    const nf = this.ctx.netfilter ?? netfilterOf(this.ctx.kernel);
    if (!nf) return;
    const sets: RuleSpec[][] = [];
    if (flags.ipMasq) {
      this.log.info('iptables.go:93', 'Setting up masking rules');
      sets.push(masqRules(config.network, lease.subnet, !flags.ipMasqFullyRandomDisable));
    }
    if (flags.iptablesForwardRules) {
      this.log.info('iptables.go:142', 'Changing default FORWARD chain policy to ACCEPT');
      sets.push(forwardRules(config.network));
    }
    for (const set of sets) applyRules(nf, set);
    const resync = () => {
      for (const set of sets) {
        if (rulesPresent(nf, set)) continue;
        this.log.info(
          'iptables.go:421',
          'Some iptables rules are missing; deleting and recreating rules',
        );
        applyRules(nf, set);
      }
      this.timers.setTimer(flags.iptablesResync * 1000, resync, { local: true });
    };
    // The check only reads and repairs this host's tables: a fast-forward need not stop at it.
    if (sets.length > 0) this.timers.setTimer(flags.iptablesResync * 1000, resync, { local: true });
  }

  /** Snapshot (Added for every peer), then the watch from the snapshot's revision + 1. */
  private async watchLeases(registry: SubnetManager, flags: FlanneldFlags): Promise<void> {
    const { leases, revision } = await registry.getSubnets();
    this.checkRunning();
    const own = this.currentLease!;
    const previous = new Map(this.peers);
    this.peers.clear();
    const events: LeaseEvent[] = [];
    for (const l of leases) {
      if (netsEqual(l.subnet, own.subnet)) continue;
      this.peers.set(formatIp4Net(l.subnet), l);
      previous.delete(formatIp4Net(l.subnet));
      events.push({ type: 'added', lease: l });
    }
    // After a re-list (compaction), leases that disappeared are removed.
    for (const gone of previous.values()) events.unshift({ type: 'removed', lease: gone });
    if (events.length > 0) this.backend!.handleEvents(events);
    const ownLease = leases.find((l) => netsEqual(l.subnet, own.subnet));
    if (ownLease) this.ownLeaseAdded(registry, flags, ownLease);

    this.watcher = registry.watchSubnets(
      revision + 1,
      (batch) => this.onWatchEvents(registry, flags, batch),
      () => {
        this.watcher = null;
        if (this.stopped) return;
        this.timers.setTimer(WATCH_RETRY_MS, () => {
          this.watchLeases(registry, flags).catch((err: unknown) => {
            if (!this.stopped) this.log.error('registry.go:445', `watch error: ${goErr(err)}`);
          });
        });
      },
    );
  }

  private onWatchEvents(registry: SubnetManager, flags: FlanneldFlags, batch: LeaseEvent[]): void {
    if (this.stopped) return;
    const own = this.currentLease!;
    const peerEvents: LeaseEvent[] = [];
    for (const ev of batch) {
      const key = formatIp4Net(ev.lease.subnet);
      if (netsEqual(ev.lease.subnet, own.subnet)) {
        if (ev.type === 'removed') {
          this.log.error('main.go:471', 'Lease has been revoked. Shutting down daemon.');
          this.finish(0);
          return;
        }
        this.ownLeaseAdded(registry, flags, ev.lease);
        continue;
      }
      if (ev.type === 'added') this.peers.set(key, ev.lease);
      else {
        const cached = this.peers.get(key);
        if (!cached) {
          this.log.info('lease.go:251', `Removed subnet (${key}) ipv6 (::/0) were not found`);
        }
        this.peers.delete(key);
        if (cached) ev.lease.attrs = cached.attrs;
      }
      peerEvents.push(ev);
    }
    if (peerEvents.length > 0) this.backend!.handleEvents(peerEvents);
  }

  private ownLeaseAdded(registry: SubnetManager, flags: FlanneldFlags, lease: Lease): void {
    this.currentLease = { ...this.currentLease!, expiration: lease.expiration };
    if (lease.expiration === 0) return;
    const wait = lease.expiration - flags.subnetLeaseRenewMargin * 60_000 - this.ctx.clock.now();
    this.log.info('main.go:432', `Waiting for ${goDuration(wait)} to renew lease`);
    this.scheduleRenew(registry, flags, lease.expiration);
  }

  /** MonitorLease: renew at expiration minus the margin, retrying every minute on failure. */
  private scheduleRenew(
    registry: SubnetManager,
    flags: FlanneldFlags,
    expiration: number,
    retryMs?: number,
  ): void {
    if (this.stopped || expiration === 0) return;
    this.renewCancel?.();
    const wait =
      retryMs ??
      Math.max(0, expiration - flags.subnetLeaseRenewMargin * 60_000 - this.ctx.clock.now());
    this.renewCancel = this.ctx.clock.setTimer(wait, () => {
      this.renewCancel = null;
      void this.renew(registry, flags);
    });
  }

  private async renew(registry: SubnetManager, flags: FlanneldFlags): Promise<void> {
    const lease = this.currentLease!;
    try {
      const expiration = await registry.updateSubnet(lease.subnet, lease.attrs, SUBNET_TTL_SECONDS);
      if (this.stopped) return;
      this.currentLease = { ...lease, expiration };
      this.log.info('main.go:448', `Lease renewed, new expiration: ${goTime(expiration)}`);
      if (!this.renewCancel) this.scheduleRenew(registry, flags, expiration);
    } catch (err) {
      if (this.stopped) return;
      this.log.error('main.go:444', `Error renewing lease (trying again in 1 min): ${goErr(err)}`);
      this.scheduleRenew(registry, flags, lease.expiration, RENEW_RETRY_MS);
    }
  }
}
