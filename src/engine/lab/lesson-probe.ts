// What a lesson asks of one host, beside its terminal: run a check script in a fresh bash,
// count the frames of a shape that cross an interface (through the kernel's capture taps, as
// tcpdump does), and name the host's addresses for a lesson's {{node2.pod1}} placeholders.
// The host worker and the Node tests' LocalLab both answer through these functions.

import { SUBNET_ENV_PATH } from '../cni/cni.ts';
import { parseEnvFile } from '../flannel/subnet-env.ts';
import { ROOT_NS } from '../kernel/types.ts';
import { formatIpv4, parseCidr, prefixMask } from '../packet/ipaddr.ts';
import type { FramePredicate } from '../programs/tcpdump/filter.ts';
import type { ProgramIO } from '../programs/types.ts';
import type { Host } from './host.ts';
import { TERMINAL_INPUT } from '../os/pipe.ts';
import { createShell } from '../shell/index.ts';

export interface ScriptResult {
  status: number;
  /** stdout and stderr, interleaved. */
  output: string;
}

/**
 * Runs `script` as `bash -c` does: in a shell of its own (its variables, jobs and history its
 * own), so the terminal's stay put.
 */
export async function runScript(
  host: Host,
  script: string,
  signal?: AbortSignal,
): Promise<ScriptResult> {
  let output = '';
  const io: ProgramIO = {
    stdin: TERMINAL_INPUT,
    stdout: (t) => (output += t),
    stderr: (t) => (output += t),
    signal: signal ?? new AbortController().signal,
    isTTY: false,
  };
  try {
    const status = await createShell(host, host.registry, { env: { ETCDCTL_API: '3' } }).run(
      script,
      io,
    );
    return { status, output };
  } catch (err) {
    return {
      status: 1,
      output: `${output}bash: ${err instanceof Error ? err.message : String(err)}\n`,
    };
  }
}

export interface WatchTarget {
  netns?: string;
  ifname: string;
  /** A tcpdump filter expression ('' matches every frame). */
  filter: string;
}

/** Frames seen on interfaces since each watch began. */
export class FrameWatches {
  private next = 1;
  private readonly watches = new Map<number, { fd: number; count: number }>();

  constructor(private readonly host: Host) {}

  /**
   * Starts counting the frames `matches` (target.filter, compiled by the caller: the host worker
   * loads tcpdump's filter on first use); throws when the interface does not exist.
   */
  watch(target: WatchTarget, matches: FramePredicate): number {
    const { kernel } = this.host;
    const ns = target.netns ?? ROOT_NS;
    const link = kernel.linkGet(ns, target.ifname);
    const id = this.next++;
    const entry = { fd: 0, count: 0 };
    entry.fd = kernel.captureOpen(ns, link.ifindex, (frame, meta) => {
      if (matches(frame, meta.linktype)) entry.count++;
    });
    this.watches.set(id, entry);
    return id;
  }

  /** Frames matched so far (0 for a watch that is gone). */
  seen(id: number): number {
    return this.watches.get(id)?.count ?? 0;
  }

  unwatch(id: number): void {
    const entry = this.watches.get(id);
    if (!entry) return;
    this.watches.delete(id);
    this.host.kernel.close(entry.fd);
  }

  closeAll(): void {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }
}

/** A host's addresses as a lesson names them. */
export interface HostFacts {
  /** The NIC's address ('172.16.112.133'). */
  eth0: string | null;
  /** The leased subnet ('10.244.1.0/24') and its etcd key's last part ('10.244.1.0-24'). */
  subnet: string | null;
  lease: string | null;
  /** Each pod's eth0 address, by namespace name. */
  pods: Record<string, string>;
}

export function hostFacts(host: Host): HostFacts {
  const { kernel, fs } = host;
  const eth0 = kernel.addrDump(ROOT_NS).find((a) => a.label === 'eth0')?.local ?? null;
  const env = fs.exists(SUBNET_ENV_PATH) ? parseEnvFile(fs.readText(SUBNET_ENV_PATH)) : null;
  const cidr = parseCidr(env?.get('FLANNEL_SUBNET') ?? '');
  const network = cidr ? formatIpv4((cidr.addr & prefixMask(cidr.prefixLen)) >>> 0) : null;
  const pods: Record<string, string> = {};
  for (const ns of kernel.netnsList()) {
    if (ns === ROOT_NS) continue;
    const addr = kernel.addrDump(ns).find((a) => a.label === 'eth0');
    if (addr) pods[ns] = addr.local;
  }
  return {
    eth0,
    subnet: cidr && network ? `${network}/${cidr.prefixLen}` : null,
    lease: cidr && network ? `${network}-${cidr.prefixLen}` : null,
    pods,
  };
}
