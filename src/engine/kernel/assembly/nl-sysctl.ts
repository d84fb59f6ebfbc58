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

// net.ipv4.conf.<dev|all|default>.arp_notify: an int, as devinet's proc_dointvec stores it.
const CONF_PREFIX = 'net.ipv4.conf.';
const ARP_NOTIFY_SUFFIX = '.arp_notify';

/** Stands for "no such sysctl" where a value is expected. */
const NONE: i64 = I64.MIN_VALUE;

/** The arp_notify value `key` names, or NONE (not one, or no such device). */
function arpNotifyGet(ns: Netns, key: string): i64 {
  if (!key.startsWith(CONF_PREFIX) || !key.endsWith(ARP_NOTIFY_SUFFIX)) return NONE;
  const dev = key.slice(CONF_PREFIX.length, key.length - ARP_NOTIFY_SUFFIX.length);
  if (dev == 'all') return ns.arpNotifyAll;
  if (dev == 'default') return ns.arpNotifyDefault;
  const l = ns.linkByName(dev);
  return l == null ? NONE : l.arpNotify;
}

/** proc_dointvec's input: optional sign and decimal digits within an int; NONE otherwise. */
function parseIntvec(text: string): i64 {
  const start = text.startsWith('-') || text.startsWith('+') ? 1 : 0;
  if (start == text.length || text.length - start > 10) return NONE;
  for (let j = start; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return NONE;
  }
  const v = I64.parseInt(text);
  return v > i32.MAX_VALUE || v < i32.MIN_VALUE ? NONE : v;
}

function arpNotifySet(ns: Netns, key: string, text: string): i32 {
  const v = parseIntvec(text);
  if (v == NONE) return fail(EINVAL);
  const dev = key.slice(CONF_PREFIX.length, key.length - ARP_NOTIFY_SUFFIX.length);
  if (dev == 'all') ns.arpNotifyAll = <i32>v;
  else if (dev == 'default') ns.arpNotifyDefault = <i32>v;
  else ns.linkByName(dev)!.arpNotify = <i32>v;
  return 0;
}

export function sysctlGet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const key = stra(A.A_KEY);
  const notify = arpNotifyGet(ns, key);
  if (notify != NONE) {
    resetOut();
    begin();
    wstr(A.A_VALUE, notify.toString());
    end();
    return 0;
  }
  const id = sysctlId(key);
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
  const key = stra(A.A_KEY);
  if (arpNotifyGet(ns, key) != NONE) return arpNotifySet(ns, key, stra(A.A_VALUE).trim());
  const id = sysctlId(key);
  if (id == 0) return fail(ENOENT);
  const v = stra(A.A_VALUE).trim();
  if (v != '0' && v != '1') return fail(EINVAL);
  const on = v == '1';
  if (id == SYSCTL_FORWARD) ns.forward = on;
  else if (id == SYSCTL_BRIDGE_NF_IPTABLES) ns.bridgeNfIptables = on;
  else ns.bridgeNfIp6tables = on;
  return 0;
}

