// A real etcd cluster for tests: Debian's etcd-server, members on 127.0.0.1 only (distinct
// ports, temporary data dirs), stopped and restarted one by one, all killed at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BIN = '/usr/bin/etcd';
export const ETCDCTL_BIN = '/usr/bin/etcdctl';

/** Whether Debian's etcd-server and etcd-client are installed (scripts/ensure-tools.sh). */
export function etcdInstalled(): boolean {
  return (
    spawnSync(ETCD_BIN, ['--version']).status === 0 &&
    spawnSync(ETCDCTL_BIN, ['version']).status === 0
  );
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process: ChildProcess | null;
  log: string;
}

export interface EtcdClusterOptions {
  size: number;
  /** Member i listens for clients on basePort + 2i and for peers on basePort + 2i + 1. */
  basePort: number;
  /** Origins allowed to call the gateway from a page (etcd's --cors). */
  cors?: string;
  /** More flags for every member. */
  extraArgs?: string[];
}

export class EtcdCluster {
  readonly members: EtcdMember[];
  /** Made by start(): a test runner may build the cluster in a process that never runs it. */
  private root = '';

  constructor(private readonly opts: EtcdClusterOptions) {
    this.members = Array.from({ length: opts.size }, (_, i) => ({
      name: `m${i + 1}`,
      clientUrl: `http://127.0.0.1:${opts.basePort + 2 * i}`,
      peerUrl: `http://127.0.0.1:${opts.basePort + 2 * i + 1}`,
      dataDir: '',
      process: null,
      log: '',
    }));
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  /** Starts every member and waits until the cluster has a leader. */
  async start(): Promise<void> {
    this.root ||= mkdtempSync(join(tmpdir(), 'flannel-playground-etcd-'));
    for (const m of this.members) m.dataDir = join(this.root, m.name);
    for (let i = 0; i < this.members.length; i++) this.startMember(i);
    await this.waitHealthy();
  }

  startMember(i: number): void {
    const m = this.members[i];
    const cluster = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
    const args = [
      `--name=${m.name}`,
      `--data-dir=${m.dataDir}`,
      `--listen-client-urls=${m.clientUrl}`,
      `--advertise-client-urls=${m.clientUrl}`,
      `--listen-peer-urls=${m.peerUrl}`,
      `--initial-advertise-peer-urls=${m.peerUrl}`,
      `--initial-cluster=${cluster}`,
      '--initial-cluster-state=new',
      '--initial-cluster-token=flannel-playground-test',
      // A loopback cluster: elections in a quarter of the default time.
      '--heartbeat-interval=50',
      '--election-timeout=500',
      ...(this.opts.cors ? [`--cors=${this.opts.cors}`] : []),
      ...(this.opts.extraArgs ?? []),
    ];
    const p = spawn(ETCD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (d: Buffer) => (m.log += d.toString()));
    p.stderr.on('data', (d: Buffer) => (m.log += d.toString()));
    m.process = p;
  }

  /** Kills member i (SIGKILL: a crash, not a graceful leave) and waits for it to be gone. */
  async stopMember(i: number): Promise<void> {
    const p = this.members[i].process;
    if (!p) return;
    this.members[i].process = null;
    if (p.exitCode !== null) return;
    const gone = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await gone;
  }

  /** Runs Debian's etcdctl against the running members. */
  etcdctl(
    args: string[],
    endpoints = this.endpoints,
  ): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(ETCDCTL_BIN, [`--endpoints=${endpoints.join(',')}`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Waits until `endpoint health` passes on every running member. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    const running = this.members.filter((m) => m.process).map((m) => m.clientUrl);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.etcdctl(['endpoint', 'health', '--command-timeout=1s'], running);
      if (r.status === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `etcd cluster not healthy: ${r.stderr}\n${this.members.map((m) => m.log).join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Kills every member and removes the data dirs. */
  async destroy(): Promise<void> {
    for (let i = 0; i < this.members.length; i++) await this.stopMember(i);
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }
}
