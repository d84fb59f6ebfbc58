// Whether the hosts can reach etcd: the lab's "KV unreachable" fault. While it is cut, every
// call a host makes fails as a clientv3 call to an unreachable cluster ends
// (`context deadline exceeded`), and watches hear nothing; when it comes back, clientv3's watch
// reconnects from the last revision it saw, so the events held meanwhile arrive in order, none
// lost. etcd itself keeps running: leases it holds expire on its clock meanwhile.

import { callsVia, answerCall } from '../engine/kv/protocol.ts';
import { KvError, type KvClient, type WatchResponse } from '../engine/kv/types.ts';

export const UNREACHABLE_ERROR = 'context deadline exceeded';

export class KvReach {
  private reachable = true;
  /** Watch deliveries held while etcd is out of reach, in arrival order. */
  private held: (() => void)[] = [];

  get isReachable(): boolean {
    return this.reachable;
  }

  set(reachable: boolean): void {
    if (this.reachable === reachable) return;
    this.reachable = reachable;
    if (!reachable) return;
    const held = this.held;
    this.held = [];
    for (const deliver of held) deliver();
  }

  /** `client` as a host reaches it through this gate. */
  through(client: () => KvClient, call: <T>(run: () => Promise<T>) => Promise<T>): KvClient {
    return {
      ...callsVia((name, req) => {
        if (!this.reachable)
          return Promise.reject(new KvError('DeadlineExceeded', UNREACHABLE_ERROR));
        return call(() => answerCall(client(), name, req));
      }),
      watch: (req, onResponse) =>
        client().watch(req, (res: WatchResponse) => {
          if (this.reachable) onResponse(res);
          else this.held.push(() => onResponse(res));
        }),
    };
  }
}
