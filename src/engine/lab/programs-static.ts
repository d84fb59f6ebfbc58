// The big programs imported up front, for Node tests and the in-process lab.
import { bridge } from '../programs/bridge/index.ts';
import { etcdctl } from '../programs/etcdctl/etcdctl.ts';
import { ip } from '../programs/ip/index.ts';
import { iptables } from '../programs/iptables/iptables.ts';
import { tcpdump } from '../programs/tcpdump/index.ts';
import type { ProgramRegistry } from '../shell/index.ts';
import { createHostRegistry, type BigPrograms } from './programs.ts';

export const STATIC_PROGRAMS: BigPrograms = { ip, bridge, tcpdump, etcdctl, iptables };

export function createStaticHostRegistry(): ProgramRegistry {
  return createHostRegistry(STATIC_PROGRAMS);
}
