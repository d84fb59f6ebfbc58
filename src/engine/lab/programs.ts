// Every program a host's shell can run.
import { bridge } from '../programs/bridge/index.ts';
import { download } from '../programs/download/download.ts';
import { etcdctl } from '../programs/etcdctl/etcdctl.ts';
import { ip } from '../programs/ip/index.ts';
import { iptables } from '../programs/iptables/iptables.ts';
import { journalctl } from '../programs/journalctl/journalctl.ts';
import { nsenter } from '../programs/nsenter/nsenter.ts';
import { systemctl } from '../programs/systemctl/systemctl.ts';
import { tcpdump } from '../programs/tcpdump/index.ts';
import { createDefaultRegistry, type ProgramRegistry } from '../shell/index.ts';

export function createHostRegistry(): ProgramRegistry {
  return createDefaultRegistry()
    .register('ip', ip, 'show / manipulate routing, network devices, interfaces and tunnels')
    .register('bridge', bridge, 'show / manipulate bridge addresses and devices')
    .register('tcpdump', tcpdump, 'dump traffic on a network')
    .register('etcdctl', etcdctl, 'a simple command line client for etcd3')
    .register('iptables', iptables, 'administration tool for IPv4 packet filtering and NAT')
    .register('systemctl', systemctl, 'control the systemd system and service manager')
    .register('journalctl', journalctl, 'print log entries from the systemd journal')
    .register('nsenter', nsenter, 'run program in different namespaces')
    .register('download', download, "send files to this terminal's user (browser download)");
}
