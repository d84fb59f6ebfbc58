// kube-controller-manager's node IPAM with --allocate-node-cidrs --cluster-cidr=10.244.0.0/16
// --node-cidr-mask-size=24 (pkg/controller/nodeipam, the RangeAllocator): it occupies the
// podCIDRs nodes already have, then gives each node without one the next free block of the
// cluster CIDR, in the order the node informer delivers them (the list, then ADDED events),
// writing spec.podCIDR and spec.podCIDRs. When the range is full the node keeps none (the
// controller records a CIDRNotAvailable event), which is flannel's "pod cidr not assigned".

import type { Watcher } from '../kv/types.ts';
import type { KubeObject, KubeStore } from './store.ts';

export interface NodeIpamOptions {
  clusterCidr: string;
  nodeCidrMaskSize: number;
}

function parseCidr(cidr: string): { base: number; len: number } {
  const [ip, len] = cidr.split('/');
  const base = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, len: Number(len) };
}

function formatCidr(base: number, len: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join('.')}/${len}`;
}

export function nodePodCidr(node: KubeObject): string | undefined {
  const cidr = node.spec?.podCIDR;
  return typeof cidr === 'string' && cidr !== '' ? cidr : undefined;
}

export class NodeIpamController {
  private readonly used = new Set<string>();
  private readonly blocks: string[] = [];
  private watcher: Watcher | null = null;
  /** Nodes are handled one at a time, in the informer's order. */
  private queue = Promise.resolve();

  constructor(
    private readonly store: KubeStore,
    options: NodeIpamOptions,
  ) {
    const { base, len } = parseCidr(options.clusterCidr);
    const size = 2 ** (32 - options.nodeCidrMaskSize);
    const count = 2 ** (options.nodeCidrMaskSize - len);
    for (let i = 0; i < count; i++)
      this.blocks.push(formatCidr(base + i * size, options.nodeCidrMaskSize));
  }

  async start(): Promise<void> {
    const { items, revision } = await this.store.list('nodes');
    for (const node of items) {
      const cidr = nodePodCidr(node);
      if (cidr) this.used.add(cidr);
    }
    for (const node of items) if (!nodePodCidr(node)) await this.allocate(node.metadata.name);
    this.watcher = this.store.watch('nodes', revision + 1, (ev) => {
      const name = ev.object.metadata.name;
      const cidr = nodePodCidr(ev.object);
      if (ev.type === 'DELETED') {
        if (cidr) this.used.delete(cidr);
        return;
      }
      if (cidr) this.used.add(cidr);
      else if (ev.type === 'ADDED') this.queue = this.queue.then(() => this.allocate(name));
    });
  }

  stop(): void {
    this.watcher?.cancel();
    this.watcher = null;
  }

  /** Resolves once the nodes seen so far have their CIDRs. */
  settled(): Promise<void> {
    return this.queue;
  }

  private async allocate(name: string): Promise<void> {
    const cidr = this.blocks.find((b) => !this.used.has(b));
    if (!cidr) return;
    this.used.add(cidr);
    try {
      await this.store.update('nodes', name, undefined, (node) => {
        node.spec = { ...node.spec, podCIDR: cidr, podCIDRs: [cidr] };
      });
    } catch {
      // The node went away before its CIDR was written: the block is free again.
      this.used.delete(cidr);
    }
  }
}
