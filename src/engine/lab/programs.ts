// Every program a host's shell can run.
//
// The big ones (ip, bridge, tcpdump, etcdctl, iptables) are passed in: Node tests and the
// in-process lab import them with the rest (./programs-static.ts), while a host worker loads
// each the first time it runs (src/workers/programs-on-demand.ts). Every host is a worker with
// its own copy of what it loaded, and a node boots without running any of them (measured: 0.75
// MB less per host in a 16-host lab).
import { download } from '../programs/download/download.ts';
import { journalctl } from '../programs/journalctl/journalctl.ts';
import { nsenter } from '../programs/nsenter/nsenter.ts';
import { systemctl } from '../programs/systemctl/systemctl.ts';
import type { Program } from '../programs/types.ts';
import { createDefaultRegistry, type ProgramRegistry } from '../shell/index.ts';

export type BigProgram = 'ip' | 'bridge' | 'tcpdump' | 'etcdctl' | 'iptables';
export type BigPrograms = Record<BigProgram, Program>;

export function createHostRegistry(big: BigPrograms): ProgramRegistry {
  return createDefaultRegistry()
    .register('ip', big.ip, 'show / manipulate routing, network devices, interfaces and tunnels')
    .register('bridge', big.bridge, 'show / manipulate bridge addresses and devices')
    .register('tcpdump', big.tcpdump, 'dump traffic on a network')
    .register('etcdctl', big.etcdctl, 'a simple command line client for etcd3')
    .register('iptables', big.iptables, 'administration tool for IPv4 packet filtering and NAT')
    .register('systemctl', systemctl, 'control the systemd system and service manager')
    .register('journalctl', journalctl, 'print log entries from the systemd journal')
    .register('nsenter', nsenter, 'run program in different namespaces')
    .register('download', download, "send files to this terminal's user (browser download)");
}
