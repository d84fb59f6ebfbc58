// dockerd's part of the lab (docker 18.06's default bridge network, libnetwork's bridge
// driver): docker0 with --bip's address and --mtu, the --ip-masq rule put in by running
// iptables as dockerd does, and containers, each a network namespace with a veth on docker0
// (cni/veth.ts, as a pod's on cni0), its address the next free one of the bridge's subnet and
// its MAC 02:42 followed by that address. Containers are kept as Docker keeps them, one
// config.v2.json per container under /var/lib/docker/containers, so they outlive a dockerd
// restart (stopped, as dockerd stops them on the way down). Docker is not in Debian: formats
// and messages follow docker/cli and moby's sources at v18.06.

import { attachVeth, findLink, randomHex } from '../cni/veth.ts';
import { formatIp4, formatIp4Net, parseIp4, parseIp4Net, type Ip4Net } from '../flannel/ip4.ts';
import { ROOT_NS, type KernelApi } from '../kernel/types.ts';
import type { LabClock } from '../os/clock.ts';
import type { FileSystem } from '../os/fs-types.ts';
import type { DockerdFlags } from './dockerd-flags.ts';
import { TERMINAL_INPUT, type InputStream } from '../os/pipe.ts';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const BRIDGE = 'docker0';
const CONTAINERS_DIR = '/var/lib/docker/containers';
/** What dockerd picks without --bip (the first free of its default pools). */
const DEFAULT_BIP = '172.17.0.1/16';
/** `docker stop`'s grace period before SIGKILL. */
export const STOP_TIMEOUT_MS = 10_000;
export const IMAGES: Record<string, { id: string; cmd: string[] }> = {
  busybox: {
    id: 'sha256:e1ddd7948a1c31709a23cc5b7dfe96e55fc364f90e1cebcde0773a1b5a30dcda',
    cmd: ['sh'],
  },
  alpine: {
    id: 'sha256:11cd0b38bc3ceb958ffb2f9bd70be3fb317ce7d255c8a4c3f4af30e298aa1aab',
    cmd: ['/bin/sh'],
  },
};

/** The streams a container's process writes to (a ProgramIO without the host). */
export interface ProcessIO {
  readonly stdin: InputStream;
  stdout(text: string): void;
  stderr(text: string): void;
  readonly signal: AbortSignal;
  readonly isTTY?: boolean;
}

export interface DockerHost {
  kernel: KernelApi;
  fs: FileSystem;
  clock: LabClock;
  random: () => number;
  /** Runs a program on the host (dockerd execs iptables); resolves to its status and stderr. */
  execHost(argv: string[]): Promise<{ status: number; stderr: string }>;
  /** Runs a process in a container: its namespace, its image's programs. */
  execIn(container: ContainerRecord, argv: string[], io: ProcessIO): Promise<number>;
  log(line: string): void;
}

export interface ContainerRecord {
  Id: string;
  Name: string;
  Created: number;
  Image: string;
  ImageId: string;
  Cmd: string[];
  Tty: boolean;
  OpenStdin: boolean;
  State: {
    Status: 'created' | 'running' | 'exited';
    Pid: number;
    ExitCode: number;
    StartedAt: number;
    FinishedAt: number;
  };
  Network: {
    IPAddress: string;
    IPPrefixLen: number;
    Gateway: string;
    MacAddress: string;
    EndpointID: string;
    SandboxID: string;
    HostVeth: string;
  } | null;
}

export class DockerError extends Error {
  /** 125: the daemon refused; 1: `docker exec`'s and `rm`'s errors. */
  constructor(
    message: string,
    readonly status = 1,
  ) {
    super(message);
  }
}

interface Running {
  stop: AbortController;
  done: Promise<number>;
  /** The exit code a stop gives (143 after SIGTERM, 137 after SIGKILL). */
  killed?: number;
}

/** The MAC Docker < 23 gives a container: 02:42 and the four bytes of its IPv4 address. */
export function macForIp(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(
    ':',
  );
}

export class DockerEngine {
  readonly subnet: Ip4Net;
  readonly gateway: string;
  readonly created: number;
  private readonly running = new Map<string, Running>();
  private nextPid = 2400;
  readonly networkId: string;

  constructor(
    private readonly host: DockerHost,
    readonly flags: DockerdFlags,
  ) {
    // --bip is the bridge's own address with the network's prefix ('10.100.50.1/24').
    const text = flags.bip ?? DEFAULT_BIP;
    const net = parseIp4Net(text);
    const address = parseIp4(text.split('/')[0]);
    if (!net || address === undefined)
      throw new DockerError(`invalid value "${text}" for flag --bip`);
    this.gateway = formatIp4(address);
    this.subnet = net;
    this.created = host.clock.now();
    this.networkId = randomHex(host.random, 64);
  }

  /** Brings docker0 up with --bip and --mtu and puts the masquerade rule in, as dockerd's start does. */
  async setUpBridge(): Promise<void> {
    const { kernel } = this.host;
    let br = findLink(kernel, ROOT_NS, BRIDGE);
    if (!br) {
      const mac = macForRandom(this.host.random);
      const ifindex = kernel.linkAdd(ROOT_NS, {
        name: BRIDGE,
        kind: 'bridge',
        address: mac,
        mtu: this.flags.mtu,
      });
      br = kernel.linkGet(ROOT_NS, ifindex);
    } else kernel.linkSet(ROOT_NS, br.ifindex, { mtu: this.flags.mtu });
    // A bridge left with another --bip's address (a new flannel subnet) gets the new one.
    const want = `${this.gateway}/${this.subnet.prefixLen}`;
    for (const a of kernel.addrDump(ROOT_NS).filter((a) => a.ifindex === br.ifindex))
      if (`${a.local}/${a.prefixlen}` !== want)
        kernel.addrDel(ROOT_NS, { ifindex: br.ifindex, local: a.local, prefixlen: a.prefixlen });
    if (!kernel.addrDump(ROOT_NS).some((a) => a.ifindex === br.ifindex))
      kernel.addrAdd(ROOT_NS, {
        ifindex: br.ifindex,
        local: this.gateway,
        prefixlen: this.subnet.prefixLen,
        broadcast: this.broadcast(),
      });
    kernel.linkSet(ROOT_NS, br.ifindex, { up: true });
    kernel.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
    if (this.flags.iptables && this.flags.ipMasq) {
      const rule = ['-s', formatIp4Net(this.subnet), '!', '-o', BRIDGE, '-j', 'MASQUERADE'];
      const check = await this.host.execHost([
        'iptables',
        '-t',
        'nat',
        '-C',
        'POSTROUTING',
        ...rule,
      ]);
      if (check.status !== 0) {
        const add = await this.host.execHost([
          'iptables',
          '-t',
          'nat',
          '-I',
          'POSTROUTING',
          ...rule,
        ]);
        if (add.status !== 0)
          this.host.log(`level=warning msg="Failed to add masquerade rule: ${add.stderr.trim()}"`);
      }
    }
    this.host.log(
      'level=info msg="Default bridge (docker0) is assigned with an IP address ' +
        `${formatIp4Net({ ip: this.subnet.ip, prefixLen: this.subnet.prefixLen })}. Daemon option --bip can be used to set a preferred IP address"`,
    );
  }

  private broadcast(): string {
    return formatIp4((this.subnet.ip + 2 ** (32 - this.subnet.prefixLen) - 1) >>> 0);
  }

  /** dockerd going down: every running container is stopped (SIGTERM, then SIGKILL). */
  async shutdown(): Promise<void> {
    await Promise.all(this.list(false).map((c) => this.stop(c.Id, 0)));
  }

  list(all: boolean): ContainerRecord[] {
    const { fs } = this.host;
    if (!fs.exists(CONTAINERS_DIR)) return [];
    return fs
      .list(CONTAINERS_DIR)
      .map((id) => this.load(id))
      .filter((c): c is ContainerRecord => c !== undefined && (all || c.State.Status === 'running'))
      .sort((a, b) => b.Created - a.Created);
  }

  /** A container by full id, unique id prefix, or name. */
  find(ref: string): ContainerRecord {
    const all = this.list(true);
    const byName = all.find((c) => c.Name === ref || c.Name === `/${ref}`);
    if (byName) return byName;
    const byId = all.filter((c) => c.Id.startsWith(ref));
    if (byId.length === 1 && ref.length > 0) return byId[0];
    throw new DockerError(`No such container: ${ref}`);
  }

  create(opts: {
    image: string;
    name?: string;
    cmd: string[];
    tty: boolean;
    stdin: boolean;
  }): ContainerRecord {
    const image = IMAGES[opts.image.replace(/:latest$/, '')];
    if (!image)
      throw new DockerError(
        `Unable to find image '${opts.image.includes(':') ? opts.image : `${opts.image}:latest`}' locally\n` +
          'docker: Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host.',
        125,
      );
    const id = randomHex(this.host.random, 64);
    const name = opts.name ?? randomName(this.host.random);
    const taken = this.list(true).find((c) => c.Name === `/${name}`);
    if (taken)
      throw new DockerError(
        `docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${taken.Id}". You have to remove (or rename) that container to be able to reuse that name.`,
        125,
      );
    const c: ContainerRecord = {
      Id: id,
      Name: `/${name}`,
      Created: this.host.clock.now(),
      Image: opts.image.replace(/:latest$/, ''),
      ImageId: image.id,
      Cmd: opts.cmd.length > 0 ? opts.cmd : image.cmd,
      Tty: opts.tty,
      OpenStdin: opts.stdin,
      State: { Status: 'created', Pid: 0, ExitCode: 0, StartedAt: 0, FinishedAt: 0 },
      Network: null,
    };
    this.save(c);
    return c;
  }

  /**
   * Starts the container's process: its namespace on docker0, then its command. Resolves once
   * it runs; `attached` gets its output and is resolved with its exit code (docker run
   * without -d waits for it).
   */
  start(ref: string, attached?: ProcessIO): { done: Promise<number> } {
    const c = this.find(ref);
    if (c.State.Status === 'running')
      return { done: this.running.get(c.Id)?.done ?? Promise.resolve(0) };
    this.plug(c);
    const stop = new AbortController();
    c.State = {
      ...c.State,
      Status: 'running',
      Pid: this.nextPid++,
      StartedAt: this.host.clock.now(),
      ExitCode: 0,
    };
    this.save(c);
    const io: ProcessIO = {
      stdin: attached?.stdin ?? TERMINAL_INPUT,
      stdout: (t) => attached?.stdout(t),
      stderr: (t) => attached?.stderr(t),
      signal: stop.signal,
      isTTY: c.Tty,
    };
    const done = this.runMain(c, io).then((code) => {
      this.exited(c.Id, code);
      return code;
    });
    this.running.set(c.Id, { stop, done });
    return { done };
  }

  /** SIGTERM, and SIGKILL after `timeoutMs` for a process that ignores it (an interactive sh). */
  async stop(ref: string, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    const c = this.find(ref);
    const r = this.running.get(c.Id);
    if (!r) return;
    const interactive = isShell(c.Cmd) && (c.Tty || c.OpenStdin);
    if (interactive) await this.host.clock.sleep(timeoutMs);
    r.killed = interactive ? 137 : 143;
    r.stop.abort();
    await r.done;
  }

  remove(ref: string, force: boolean): Promise<ContainerRecord> {
    const c = this.find(ref);
    const go = async () => {
      if (c.State.Status === 'running') {
        if (!force)
          throw new DockerError(
            `Error response from daemon: You cannot remove a running container ${c.Id}. Stop the container before attempting removal or force remove`,
          );
        await this.stop(c.Id, 0);
      }
      this.host.fs.remove(`${CONTAINERS_DIR}/${c.Id}`, { recursive: true });
      return c;
    };
    return go();
  }

  /** `docker exec`: a process in a running container. */
  exec(ref: string, argv: string[], io: ProcessIO): Promise<number> {
    const c = this.find(ref);
    if (c.State.Status !== 'running')
      throw new DockerError(`Error response from daemon: Container ${c.Id} is not running`);
    return this.host.execIn(c, argv, io);
  }

  netnsOf(c: ContainerRecord): string {
    return c.Name.slice(1);
  }

  private async runMain(c: ContainerRecord, io: ProcessIO): Promise<number> {
    // sh with a terminal or an open stdin waits for input until it is killed; one with
    // neither reads end-of-file at once and exits 0, as `docker run -d busybox` does.
    if (isShell(c.Cmd) && c.Cmd.length === 1) {
      if (!c.Tty && !c.OpenStdin) return 0;
      await new Promise<void>((resolve) =>
        io.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      return this.killedCode(c.Id);
    }
    const code = await this.host.execIn(c, c.Cmd, io);
    return io.signal.aborted ? this.killedCode(c.Id) : code;
  }

  private killedCode(id: string): number {
    return this.running.get(id)?.killed ?? 137;
  }

  private exited(id: string, code: number): void {
    this.running.delete(id);
    const c = this.load(id);
    if (!c) return;
    this.unplug(c);
    c.State = {
      ...c.State,
      Status: 'exited',
      Pid: 0,
      ExitCode: code,
      FinishedAt: this.host.clock.now(),
    };
    this.save(c);
  }

  /** The sandbox: a namespace, a veth into docker0, the next free address, the default route. */
  private plug(c: ContainerRecord): void {
    const { kernel, random } = this.host;
    const br = findLink(kernel, ROOT_NS, BRIDGE);
    if (!br) throw new DockerError('Error response from daemon: network bridge not found', 125);
    const used = new Set(this.list(false).map((o) => o.Network?.IPAddress));
    used.add(this.gateway);
    const size = 2 ** (32 - this.subnet.prefixLen);
    let ip = '';
    for (let i = 1; i < size - 1 && !ip; i++) {
      const candidate = formatIp4((this.subnet.ip + i) >>> 0);
      if (!used.has(candidate)) ip = candidate;
    }
    if (!ip)
      throw new DockerError(
        "Error response from daemon: no available IPv4 addresses on this network's address pools: bridge",
        125,
      );
    const ns = this.netnsOf(c);
    if (!kernel.netnsList().includes(ns)) kernel.netnsAdd(ns);
    let hostVeth = `veth${randomHex(random, 7)}`;
    while (findLink(kernel, ROOT_NS, hostVeth)) hostVeth = `veth${randomHex(random, 7)}`;
    const mac = macForIp(ip);
    const eth0 = attachVeth(kernel, {
      bridge: br.ifindex,
      hostVeth,
      netns: ns,
      ifName: 'eth0',
      mtu: this.flags.mtu,
      ip,
      prefixLen: this.subnet.prefixLen,
      broadcast: this.broadcast(),
      mac,
      loopback: true,
    });
    kernel.routeAdd(ns, { dst: '0.0.0.0', dstLen: 0, gateway: this.gateway, oif: eth0.ifindex });
    c.Network = {
      IPAddress: ip,
      IPPrefixLen: this.subnet.prefixLen,
      Gateway: this.gateway,
      MacAddress: mac,
      EndpointID: randomHex(random, 64),
      SandboxID: randomHex(random, 64),
      HostVeth: hostVeth,
    };
  }

  private unplug(c: ContainerRecord): void {
    const { kernel } = this.host;
    const ns = this.netnsOf(c);
    // Deleting the namespace takes its end of the veth, and the pair's other end with it.
    if (kernel.netnsList().includes(ns)) kernel.netnsDel(ns);
    const veth = c.Network ? findLink(kernel, ROOT_NS, c.Network.HostVeth) : undefined;
    if (veth) kernel.linkDel(ROOT_NS, veth.ifindex);
    c.Network = null;
  }

  private load(id: string): ContainerRecord | undefined {
    const path = `${CONTAINERS_DIR}/${id}/config.v2.json`;
    if (!this.host.fs.exists(path)) return undefined;
    return JSON.parse(this.host.fs.readText(path)) as ContainerRecord;
  }

  private save(c: ContainerRecord): void {
    const dir = `${CONTAINERS_DIR}/${c.Id}`;
    if (!this.host.fs.exists(dir)) this.host.fs.mkdir(dir, { recursive: true });
    this.host.fs.writeFile(`${dir}/config.v2.json`, JSON.stringify(c));
  }
}

function isShell(cmd: string[]): boolean {
  return cmd[0] === 'sh' || cmd[0] === '/bin/sh' || cmd[0] === 'ash';
}

/** docker0's MAC: 02:42 and four random bytes, as libnetwork's GenerateRandomMAC. */
function macForRandom(random: () => number): string {
  return `02:42:${randomHex(random, 8).match(/../g)!.join(':')}`;
}

/** moby's namesgenerator: adjective_surname (a few of its words). */
const LEFT = [
  'admiring',
  'amazing',
  'brave',
  'eager',
  'festive',
  'gallant',
  'jolly',
  'keen',
  'nifty',
  'quirky',
  'serene',
  'vigilant',
];
const RIGHT = [
  'albattani',
  'bohr',
  'curie',
  'darwin',
  'euler',
  'galileo',
  'hopper',
  'kepler',
  'lovelace',
  'noether',
  'turing',
  'wozniak',
];

function randomName(random: () => number): string {
  const pick = (words: string[]) => words[Math.floor(random() * words.length)];
  return `${pick(LEFT)}_${pick(RIGHT)}`;
}
