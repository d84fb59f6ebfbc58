// The login shell's environment on a scenario's hosts: the etcd API its etcdctl speaks by
// default (v2 for the etcd 3.2 the seeds install; etcdctl 3.4 needs ETCDCTL_API=2 for it).

import type { Scenario } from './scenarios/index.ts';

export function scenarioEnv(scenario: Scenario): Record<string, string> {
  return { ETCDCTL_API: String(scenario.etcd.api) };
}
