// Direct wires between this tab's hosts: two hosts of the tab are joined by a MessagePort,
// asked for by the first frame one sends the other. Hosts in another tab of the lab stay on
// the BroadcastChannels.

import * as Comlink from 'comlink';
import type { HostWorkerApi } from '../workers/host-api.ts';

export class PeerPorts {
  /** Pairs joined ('node1|node2'). */
  private readonly joined = new Set<string>();

  constructor(
    private readonly api: (hostname: string) => Comlink.Remote<HostWorkerApi> | undefined,
  ) {}

  join(from: string, to: string): void {
    const pair = [from, to].sort().join('|');
    const a = this.api(from);
    const b = this.api(to);
    if (!a || !b || this.joined.has(pair)) return;
    this.joined.add(pair);
    const { port1, port2 } = new MessageChannel();
    void a.connectPeer(to, Comlink.transfer(port1, [port1]));
    void b.connectPeer(from, Comlink.transfer(port2, [port2]));
  }

  /** `hostname` is gone: its peers drop their port to it. */
  drop(hostname: string): void {
    for (const pair of [...this.joined]) {
      const [a, b] = pair.split('|');
      if (a !== hostname && b !== hostname) continue;
      this.joined.delete(pair);
      void this.api(a === hostname ? b : a)?.disconnectPeer(hostname);
    }
  }
}
