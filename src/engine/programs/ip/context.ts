// What every `ip` object command gets: the kernel, the namespace, the global options, the
// output streams, and link lookups by name or index.

import { Errno, NetlinkError, ROOT_NS } from '../../kernel/types.ts';
import type { KernelApi, LinkInfo, NsId } from '../../kernel/types.ts';
import type { HostContext, ProgramIO } from '../types.ts';
import { cannotFindDevice } from './errors.ts';

export interface IpOptions {
  family: 'inet' | 'inet6' | 'link' | 'any';
  stats: number;
  details: number;
  oneline: boolean;
  brief: boolean;
  json: boolean;
  pretty: boolean;
}

export function defaultOptions(): IpOptions {
  return {
    family: 'any',
    stats: 0,
    details: 0,
    oneline: false,
    brief: false,
    json: false,
    pretty: false,
  };
}

export class IpContext {
  constructor(
    readonly kernel: KernelApi,
    readonly ns: NsId,
    readonly opts: IpOptions,
    readonly io: ProgramIO,
    readonly host: HostContext,
  ) {}

  /** The link called `name`, or null. */
  findLink(name: string): LinkInfo | null {
    try {
      return this.kernel.linkGet(this.ns, name);
    } catch (err) {
      if (err instanceof NetlinkError && err.errno === Errno.ENODEV) return null;
      throw err;
    }
  }

  /** The link called `name`; `Cannot find device "name"` otherwise. */
  requireLink(name: string, code = 1): LinkInfo {
    const link = this.findLink(name);
    if (link === null) throw cannotFindDevice(name, code);
    return link;
  }

  /** A name for an ifindex of this namespace, as ll_index_to_name prints it. */
  linkName(ifindex: number | undefined, links?: LinkInfo[]): string {
    if (ifindex === undefined) return '';
    const found = (links ?? this.kernel.linkDump(this.ns)).find((l) => l.ifindex === ifindex);
    return found ? found.name : `if${ifindex}`;
  }

  /**
   * The netnsid by which this namespace knows `other`, or null when it has none. A namespace
   * gets an id once a link here has its peer there; the kernel hands ids out in the order they
   * are first needed, which the namespaces' list order stands in for. A pod, whose only peer
   * is in the root namespace, knows it as 0.
   */
  netnsId(other: NsId): number | null {
    const peers = new Set(this.kernel.linkDump(this.ns).map((l) => l.peer?.netns));
    if (!peers.has(other)) return null;
    if (other === ROOT_NS) return 0;
    const index = this.kernel
      .netnsList()
      .filter((name) => name !== this.ns && peers.has(name))
      .indexOf(other);
    return peers.has(ROOT_NS) && this.ns !== ROOT_NS ? index + 1 : index;
  }
}
