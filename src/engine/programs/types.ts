// What every shell program gets: its arguments, its streams and the host it runs on.
// A program is a pure function of these; it returns its exit code.

import type { KernelApi, NsId } from '../kernel/types.ts';
import type { LabClock } from '../os/clock.ts';
import type { FileSystem } from '../os/fs-types.ts';
import type { Journal, ServiceManager } from '../os/services.ts';
import type { KvClient } from '../kv/types.ts';
import type { InputStream } from '../os/pipe.ts';
import type { UnixSockets } from '../os/unix-sockets.ts';

export interface ProgramIO {
  /** Standard input: what is piped or redirected in, as it arrives (the terminal reads empty). */
  readonly stdin: InputStream;
  stdout(text: string): void;
  /**
   * Resolves once stdout can take more: a pipe past its capacity waits for its reader, the
   * terminal for the screen. A program that writes a lot awaits it between chunks.
   */
  readonly stdoutReady?: () => Promise<void>;
  stderr(text: string): void;
  /** Fires on Ctrl-C. Long-running programs (ping, tcpdump, etcdctl watch) stop and print their summary. */
  readonly signal: AbortSignal;
  /** True when stdout is the terminal (ls prints columns), false when piped or redirected. */
  readonly isTTY?: boolean;
  /** Environment variables the shell passes (`ETCDCTL_API=3 etcdctl ...`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Hands a file to the person at the terminal (the browser saves it on their machine). Absent
   * when no one can receive it (a script, a test without a terminal).
   */
  readonly download?: (name: string, bytes: Uint8Array) => void;
  /** The lab's packet journey recorder (for `trace`); absent where there is no lab around. */
  readonly journey?: JourneyControl;
}

/** Starts the recorder on every host of the lab; `stop` ends it and says what it saw. */
export interface JourneyControl {
  start(): Promise<void>;
  /** One line per frame, in the journey's order. */
  stop(): Promise<string[]>;
}

/** The slice of a host that programs may use. */
export interface HostContext {
  readonly hostname: string;
  readonly kernel: KernelApi;
  /** The namespace the program runs in: ROOT_NS, or a pod's after `ip netns exec`. */
  readonly netns: NsId;
  readonly clock: LabClock;
  /**
   * The host's source of randomness in [0, 1) (ping's identifier), passed in as time is: the
   * Host always gives one; only test doubles that run no program needing it leave it out.
   */
  readonly random?: () => number;
  /** The host's virtual filesystem (/run/flannel/subnet.env, /etc/cni/net.d/, pcaps...). */
  readonly fs: FileSystem;
  /** The lab's etcd, when the host can reach one. */
  readonly kv?: KvClient;
  /**
   * Runs another command line's argv on this host, in namespace `netns` (for `ip netns exec`).
   * A program that does not exist is reported as `missing` says (iproute2's message by default).
   */
  exec(argv: string[], io: ProgramIO, netns: NsId, missing?: MissingProgram): Promise<number>;
  /** The host's units (flanneld), for systemctl. */
  readonly services?: ServiceManager;
  /** The host's journal, for journalctl. */
  readonly journal?: Journal;
  /** The host's Unix sockets (dockerd's /var/run/docker.sock), for the clients of daemons. */
  readonly sockets?: UnixSockets;
}

/** How a program that execs another reports one that does not exist: its text and status. */
export interface MissingProgram {
  message(name: string): string;
  status: number;
}

export type Program = (argv: string[], io: ProgramIO, host: HostContext) => Promise<number>;
