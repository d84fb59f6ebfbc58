// sysctl.

import * as A from './abi';
import { Link, Netns } from './state';
import { stra, begin, end, wstr, fail, resetOut } from './msg';
import { ENOENT, EINVAL } from './errno';
import { nsGet } from './nl-link';
import { gcThresh1, gcThresh2, gcThresh3, setGcThresh } from './neigh';
import { ipfragHighThresh, ipfragLowThresh, ipfragTime, setIpfrag } from './ip-reasm';

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

// The integer sysctls: the kernel's limits, and arp_notify. The neighbour table's gc thresholds
// exist in the root namespace only, as Linux shows them in init_net only; a device's
// unres_qlen_bytes and arp_notify are per link (arp_notify also for `all` and `default`), the
// fragment limits per kernel (Linux keeps them per netns).
const NEIGH_PREFIX = 'net.ipv4.neigh.';
const UNRES_SUFFIX = '.unres_qlen_bytes';
const CONF_PREFIX = 'net.ipv4.conf.';
const ARP_NOTIFY_SUFFIX = '.arp_notify';

/** Stands for "no such sysctl" where a value is expected (arp_notify may be negative). */
const NONE: i64 = I64.MIN_VALUE;

/** The integer sysctl's value, or NONE when `key` is not one (or not in this namespace). */
function intSysctl(ns: Netns, key: string): i64 {
  if (ns.name.length == 0) {
    if (key == 'net.ipv4.neigh.default.gc_thresh1') return gcThresh1;
    if (key == 'net.ipv4.neigh.default.gc_thresh2') return gcThresh2;
    if (key == 'net.ipv4.neigh.default.gc_thresh3') return gcThresh3;
  }
  if (key == 'net.ipv4.ipfrag_high_thresh') return ipfragHighThresh;
  if (key == 'net.ipv4.ipfrag_low_thresh') return ipfragLowThresh;
  if (key == 'net.ipv4.ipfrag_time') return ipfragTime;
  const l = unresLink(ns, key);
  if (l != null) return l.unresQlenBytes;
  const dev = arpNotifyDev(key);
  if (dev == null) return NONE;
  if (dev == 'all') return ns.arpNotifyAll;
  if (dev == 'default') return ns.arpNotifyDefault;
  const d = ns.linkByName(dev);
  return d == null ? NONE : d.arpNotify;
}

function unresLink(ns: Netns, key: string): Link | null {
  if (!key.startsWith(NEIGH_PREFIX) || !key.endsWith(UNRES_SUFFIX)) return null;
  const dev = key.slice(NEIGH_PREFIX.length, key.length - UNRES_SUFFIX.length);
  return ns.linkByName(dev);
}

/** The device (or `all`, `default`) of a net.ipv4.conf.<dev>.arp_notify key; null otherwise. */
function arpNotifyDev(key: string): string | null {
  if (!key.startsWith(CONF_PREFIX) || !key.endsWith(ARP_NOTIFY_SUFFIX)) return null;
  return key.slice(CONF_PREFIX.length, key.length - ARP_NOTIFY_SUFFIX.length);
}

/** proc_dointvec's input: an optional sign and decimal digits, within an int; NONE otherwise. */
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

/** Sets an integer sysctl (the caller checked that key is one); false for a bad value. */
function setIntSysctl(ns: Netns, key: string, text: string): bool {
  const v = parseIntvec(text);
  if (v == NONE) return false;
  const n = <i32>v;
  if (key.endsWith('gc_thresh1')) setGcThresh(1, n);
  else if (key.endsWith('gc_thresh2')) setGcThresh(2, n);
  else if (key.endsWith('gc_thresh3')) setGcThresh(3, n);
  else if (key.startsWith('net.ipv4.ipfrag_')) {
    // ipfrag_high_thresh may not go below low_thresh, nor low above high (proc_douintvec_minmax).
    if (key == 'net.ipv4.ipfrag_high_thresh' && (n < 0 || n < ipfragLowThresh)) return false;
    if (key == 'net.ipv4.ipfrag_low_thresh' && (n < 0 || n > ipfragHighThresh)) return false;
    setIpfrag(key, n);
  } else if (key.endsWith(UNRES_SUFFIX)) {
    if (n < 0) return false;
    unresLink(ns, key)!.unresQlenBytes = n;
  } else {
    const dev = arpNotifyDev(key)!;
    if (dev == 'all') ns.arpNotifyAll = n;
    else if (dev == 'default') ns.arpNotifyDefault = n;
    else ns.linkByName(dev)!.arpNotify = n;
  }
  return true;
}

export function sysctlGet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const key = stra(A.A_KEY);
  const iv = intSysctl(ns, key);
  if (iv != NONE) {
    resetOut();
    begin();
    wstr(A.A_VALUE, iv.toString());
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
  if (intSysctl(ns, key) != NONE)
    return setIntSysctl(ns, key, stra(A.A_VALUE).trim()) ? 0 : fail(EINVAL);
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

