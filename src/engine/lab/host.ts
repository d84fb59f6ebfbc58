// One virtual host: its kernel (pods are namespaces in it), filesystem, systemd, journal and shell.
//
// The host is what programs see as `HostContext`. It owns no network state of its own: links,
// addresses and routes live in the kernel; files in `fs`; daemons in `services`.

import type { KernelApi, NsId } from '../kernel/types.ts';
import { ROOT_NS } from '../kernel/types.ts';
import type { KvClient } from '../kv/types.ts';
import type { HostContext, MissingProgram, ProgramIO } from '../programs/types.ts';
import { inNetns } from '../shell/bash.ts';
import { createShell, runArgv, type ProgramRegistry, type Shell } from '../shell/index.ts';
import type { LabClock } from '../os/clock.ts';
import { MemoryFileSystem } from '../os/fs.ts';
import { Journal, ServiceManager } from '../os/services.ts';
import { UnixSockets } from '../os/unix-sockets.ts';

export interface HostOptions {
  hostname: string;
  kernel: KernelApi;
  clock: LabClock;
  registry: ProgramRegistry;
  /** Randomness for MACs, ids and flannel's subnet choice (injected so tests are repeatable). */
  random: () => number;
  kv?: KvClient;
  /** A filesystem restored from a snapshot; a fresh one otherwise. */
  fs?: MemoryFileSystem;
  /** The shell history of earlier sessions (bash's HISTFILE), oldest first. */
  history?: string[];
  /** The login shell's environment beyond bash's own (ETCDCTL_API=3 unless told). */
  env?: Record<string, string>;
}

export class Host implements HostContext {
  readonly hostname: string;
  readonly kernel: KernelApi;
  readonly clock: LabClock;
  readonly netns: NsId = ROOT_NS;
  readonly fs: MemoryFileSystem;
  readonly kv?: KvClient;
  readonly random: () => number;
  readonly journal = new Journal();
  readonly services: ServiceManager;
  readonly sockets = new UnixSockets();
  readonly registry: ProgramRegistry;
  readonly shell: Shell;

  constructor(opts: HostOptions) {
    this.hostname = opts.hostname;
    this.kernel = opts.kernel;
    this.clock = opts.clock;
    this.kv = opts.kv;
    this.random = opts.random;
    this.registry = opts.registry;
    this.fs = opts.fs ?? new MemoryFileSystem(opts.clock);
    this.services = new ServiceManager(opts.clock, opts.hostname, this.journal);
    this.fs.writeFile('/etc/hostname', `${opts.hostname}\n`);
    this.shell = createShell(this, this.registry, {
      env: opts.env ?? { ETCDCTL_API: '3' },
      history: opts.history,
    });
  }

  /** Another login (a second terminal): its own jobs and working directory, one history. */
  openShell(): Shell {
    return createShell(this, this.registry, { env: { ETCDCTL_API: '3' }, historyOf: this.shell });
  }

  exec(argv: string[], io: ProgramIO, netns: NsId, missing?: MissingProgram): Promise<number> {
    // A program started in `netns` (ip netns exec) sees the host from there.
    return runArgv(argv, io, inNetns(this, netns), this.registry, missing);
  }
}
