// sysctl.

import * as A from './abi';
import { Netns } from './state';
import { stra, begin, end, wstr, fail, resetOut } from './msg';
import { ENOENT, EINVAL } from './errno';
import { nsGet } from './nl-link';

// The boolean sysctls the lab's programs read: forwarding, and br_netfilter's bridge hooks
// (a Kubernetes node loads br_netfilter; flanneld refuses to start without it).
const SYSCTL_FORWARD: i32 = 1;
const SYSCTL_BRIDGE_NF_IPTABLES: i32 = 2;
const SYSCTL_BRIDGE_NF_IP6TABLES: i32 = 3;

function sysctlId(key: string): i32 {
  if (key == 'net.ipv4.ip_forward' || key == 'net.ipv4.conf.all.forwarding') return SYSCTL_FORWARD;
  if (key == 'net.bridge.bridge-nf-call-iptables') return SYSCTL_BRIDGE_NF_IPTABLES;
  if (key == 'net.bridge.bridge-nf-call-ip6tables') return SYSCTL_BRIDGE_NF_IP6TABLES;
  return 0;
}

function sysctlValue(ns: Netns, id: i32): bool {
  if (id == SYSCTL_FORWARD) return ns.forward;
  if (id == SYSCTL_BRIDGE_NF_IPTABLES) return ns.bridgeNfIptables;
  return ns.bridgeNfIp6tables;
}

export function sysctlGet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const id = sysctlId(stra(A.A_KEY));
  if (id == 0) return fail(ENOENT);
  resetOut();
  begin();
  wstr(A.A_VALUE, sysctlValue(ns, id) ? '1' : '0');
  end();
  return 0;
}

export function sysctlSet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const id = sysctlId(stra(A.A_KEY));
  if (id == 0) return fail(ENOENT);
  const v = stra(A.A_VALUE).trim();
  if (v != '0' && v != '1') return fail(EINVAL);
  const on = v == '1';
  if (id == SYSCTL_FORWARD) ns.forward = on;
  else if (id == SYSCTL_BRIDGE_NF_IPTABLES) ns.bridgeNfIptables = on;
  else ns.bridgeNfIp6tables = on;
  return 0;
}

