// One host as the UI knows it: its config, whether its worker runs, and what its last snapshot
// showed. A class, so the array of hosts is reactive without deep-proxying each snapshot: the
// snapshots are replaced whole (every 250 ms) and read, never changed in place.

import type { HostConfig } from '../engine/lab/params.ts';
import type { HostSnapshot } from '../workers/host-api.ts';
import type { LinkTraffic } from './traffic.ts';

/** 'off': powered off from the topology (its worker stopped; it boots again on power-on). */
export type HostStatus = 'starting' | 'up' | 'failed' | 'off';

export class HostState {
  status = $state<HostStatus>('starting');
  error = $state<string | null>(null);
  snapshot = $state.raw<HostSnapshot | null>(null);
  /** The node's boot is over: its flanneld leased a subnet and its pods are up (or it failed). */
  booted = $state(false);
  /** Links whose packet counters moved since the previous snapshot (frames crossing them). */
  traffic = $state.raw<LinkTraffic>({});
  /** The namespace the host's terminal is in: '' for the host's own, 'pod1' in a pod shell. */
  shellNetns = $state('');
  /** Background captures started from the topology ('/eth0', 'pod1/eth0'). */
  captures = $state.raw<string[]>([]);

  constructor(readonly config: HostConfig) {}
}
