// The kernel's message boundary, shared by the AssemblyScript kernel and the TypeScript wrapper.
// Plain constants only (integers, and one array of strings), so that both compilers accept this
// file.
//
// A request is [u16 type][u16 flags] followed by attributes; an attribute is
// [u16 kind][u16 length][value, padded to 4 bytes]. Integers are little-endian, IPv4 addresses
// are host-order u32, MACs are 6 bytes. A reply is a list of records, each [u32 length][attrs].
// Message types reuse rtnetlink's numbers where rtnetlink has one.

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;
// Queueing disciplines (tc qdisc), root only.
export const RTM_NEWQDISC = 36;
export const RTM_DELQDISC = 37;
export const RTM_GETQDISC = 38;
// Bridge FDB: rtnetlink uses RTM_*NEIGH with AF_BRIDGE; here they get their own numbers.
export const MSG_NEWFDB = 1028;
export const MSG_DELFDB = 1029;
export const MSG_GETFDB = 1030;
export const MSG_NETNS_ADD = 1100;
export const MSG_NETNS_DEL = 1101;
export const MSG_NETNS_LIST = 1102;
export const MSG_SYSCTL_GET = 1110;
export const MSG_SYSCTL_SET = 1111;
export const MSG_ICMP_OPEN = 1120;
export const MSG_ICMP_SEND = 1121;
export const MSG_UDP_OPEN = 1122;
export const MSG_UDP_BIND = 1123;
export const MSG_UDP_SEND = 1124;
export const MSG_TUN_OPEN = 1125;
export const MSG_TUN_WRITE = 1126;
export const MSG_CAPTURE_OPEN = 1127;
export const MSG_CLOSE = 1128;
export const MSG_DROPS = 1130;
/** Netfilter: load a compiled rule set (A_DATA) with its counters (A_NF_COUNTERS). */
export const MSG_NF_LOAD = 1140;
/** Netfilter: the counters, f64 [packets, bytes] per rule then per chain (A_NF_COUNTERS). */
export const MSG_NF_COUNTERS = 1141;
/** Connection tracking: one record per entry; MSG_CT_FLUSH empties the table. */
export const MSG_CT_DUMP = 1142;
export const MSG_CT_FLUSH = 1143;
/** The lab's cable on a host's NIC: plugged (A_UP 1) or cut (0). */
export const MSG_CARRIER_SET = 1144;

// NLM_F_* request flags.
/** NLM_F_ROOT | NLM_F_MATCH: a dump, not a get. */
export const NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;

// Attribute kinds.
export const A_NS = 1;
export const A_IFINDEX = 2;
export const A_NAME = 3;
export const A_KIND = 4;
export const A_MTU = 5;
export const A_ADDRESS = 6;
export const A_PEER_NAME = 7;
export const A_PEER_NS = 8;
export const A_VNI = 9;
export const A_VX_LOCAL = 10;
export const A_VX_DEV = 11;
export const A_DSTPORT = 12;
export const A_LEARNING = 13;
export const A_AGEING = 14;
export const A_UP = 15;
export const A_MASTER = 16;
export const A_NETNS = 17;
export const A_FLAGS = 18;
export const A_MINMTU = 19;
export const A_MAXMTU = 20;
export const A_OPERSTATE = 21;
export const A_TXQLEN = 22;
export const A_BROADCAST = 23;
export const A_PEER_IFINDEX = 24;
export const A_PROMISC = 25;
export const A_ALLMULTI = 26;
export const A_BR_AGEING = 27;
export const A_PORTNO = 28;
export const A_STATS = 29;
export const A_LOCAL = 30;
export const A_PREFIXLEN = 31;
export const A_SCOPE = 32;
export const A_LABEL = 33;
export const A_TABLE = 34;
export const A_TYPE = 35;
export const A_DST = 36;
export const A_DSTLEN = 37;
export const A_GATEWAY = 38;
export const A_OIF = 39;
export const A_ONLINK = 40;
export const A_PROTO = 41;
export const A_PREFSRC = 42;
export const A_METRIC = 43;
export const A_STATE = 44;
export const A_LLADDR = 45;
export const A_SELF = 46;
export const A_KEY = 47;
export const A_VALUE = 48;
export const A_FD = 49;
export const A_DATA = 50;
export const A_TTL = 51;
export const A_TOS = 52;
export const A_DF = 53;
export const A_SRC = 54;
export const A_PORT = 55;
export const A_EXTACK = 56;
export const A_ERR_MTU = 57;
export const A_COUNT = 58;
export const A_HAS_BROADCAST = 59;
export const A_ROUTER = 60;
export const A_TABLE_FILTER = 61;
export const A_PEER_NETNS_NAME = 62;
/** Present when the link has a qdisc attached (it has been up); `noop` otherwise. */
export const A_QDISC = 63;
export const A_NF_COUNTERS = 64;
/** A conntrack entry: u32 words [proto, status, orig src, dst, a, b, reply src, dst, a, b]. */
export const A_CT = 65;
// tc: the parent (-1 = root), handle, options and statistics, as qdisc.ts lays them out.
export const A_TC_PARENT = 66;
export const A_TC_HANDLE = 67;
export const A_TC_OPTIONS = 68;
export const A_TC_STATS = 69;
/** A bridge port's hairpin mode (IFLA_BRPORT_MODE): frames may leave by the port they came in on. */
export const A_HAIRPIN = 72;
/** veth: the peer's txqueuelen, set apart from the link's own (the peer's IFLA_TXQLEN). */
export const A_PEER_TXQLEN = 73;
/** A vxlan device's outer TTL (IFLA_VXLAN_TTL); 0 is `auto`, the route's hop limit. */
export const A_VX_TTL = 74;
export const A_MAX = 75;

// Link kinds.
export const KIND_LOOPBACK = 0;
export const KIND_ETHER = 1;
export const KIND_VETH = 2;
export const KIND_BRIDGE = 3;
export const KIND_VXLAN = 4;
export const KIND_TUN = 5;
/** Each kind's name, at its KIND_* number: what A_KIND carries. TS's LINK_KINDS must match. */
export const KIND_NAMES: string[] = ['loopback', 'ether', 'veth', 'bridge', 'vxlan', 'tun'];

// Operational states (IF_OPER_*).
export const OPER_UNKNOWN = 0;
export const OPER_DOWN = 2;
export const OPER_LOWERLAYERDOWN = 3;
export const OPER_UP = 6;

// Scopes (RT_SCOPE_*).
export const SCOPE_GLOBAL = 0;
export const SCOPE_SITE = 200;
export const SCOPE_LINK = 253;
export const SCOPE_HOST = 254;

// Route types (RTN_*).
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;

export const TABLE_MAIN = 254;
export const TABLE_LOCAL = 255;
export const TABLE_ALL = 0;

export const PROTO_KERNEL = 2;
export const PROTO_BOOT = 3;
export const PROTO_STATIC = 4;

// Neighbour states (NUD_*).
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
export const NUD_NONE = 0x00;

// FDB states.
export const FDB_PERMANENT = 1;
export const FDB_STATIC = 2;
export const FDB_REACHABLE = 3;

// Socket deliveries from the kernel to userspace (the `deliver` import's first argument).
export const DELIVER_ICMP = 1;
export const DELIVER_UDP = 2;
export const DELIVER_TUN = 3;
export const DELIVER_CAPTURE = 4;

export const DIR_IN = 0;
export const DIR_OUT = 1;

// Drop reasons: index into DROP_NAMES.
export const DROP_ETH_SHORT = 0;
export const DROP_ETH_TYPE = 1;
export const DROP_ETH_OTHERHOST = 2;
export const DROP_ARP_MALFORMED = 3;
export const DROP_IP_SHORT = 4;
export const DROP_IP_VERSION = 5;
export const DROP_IP_IHL = 6;
export const DROP_IP_TOTLEN = 7;
export const DROP_IP_CSUM = 8;
export const DROP_IP_NOFORWARD = 9;
export const DROP_IP_NOROUTE = 10;
export const DROP_IP_TTL = 11;
export const DROP_IP_FRAG = 12;
export const DROP_IP_PROTO = 13;
export const DROP_ICMP_SHORT = 14;
export const DROP_ICMP_CSUM = 15;
export const DROP_UDP_SHORT = 16;
export const DROP_UDP_CSUM = 17;
export const DROP_UDP_NOPORT = 18;
export const DROP_VXLAN_BAD = 19;
export const DROP_VXLAN_VNI = 20;
export const DROP_VXLAN_NOFDB = 21;
export const DROP_NEIGH_FAILED = 22;
export const DROP_NEIGH_QUEUE = 23;
export const DROP_LINK_DOWN = 24;
export const DROP_NO_BUFFER = 25;
export const DROP_TOO_BIG = 26;
export const DROP_BRIDGE_SRC = 27;
export const DROP_BRIDGE_SAME_PORT = 28;
export const DROP_BACKLOG = 29;
export const DROP_TUN_NOFD = 30;
export const DROP_IP_MTU = 31;
export const DROP_IP_BLACKHOLE = 32;
export const DROP_ARP_NOARP = 33;
export const DROP_IP_MARTIAN = 34;
export const DROP_NEIGH_TABLE_FULL = 35;
export const DROP_TX_QUEUE_FULL = 36;
export const DROP_NETFILTER = 37;
export const DROP_COUNT = 38;

export const DROP_NAMES: string[] = [
  'eth: frame too short',
  'eth: unknown ethertype',
  'eth: not for this host',
  'arp: malformed',
  'ip: truncated header',
  'ip: bad version',
  'ip: bad header length',
  'ip: bad total length',
  'ip: bad header checksum',
  'ip: forwarding disabled',
  'ip: no route',
  'ip: ttl exceeded',
  'ip: fragment reassembly failed',
  'ip: unknown protocol',
  'icmp: truncated',
  'icmp: bad checksum',
  'udp: truncated',
  'udp: bad checksum',
  'udp: port unreachable',
  'vxlan: malformed header',
  'vxlan: unknown vni',
  'vxlan: no fdb entry',
  'neigh: resolution failed',
  'neigh: queue full',
  'link: down',
  'kernel: out of packet buffers',
  'kernel: frame too big',
  'bridge: invalid source mac',
  'bridge: destination on ingress port',
  'kernel: backlog overflow',
  'tun: no reader',
  'ip: fragmentation needed',
  'ip: blackhole route',
  'arp: device is noarp',
  'ip: martian address',
  'neigh: table full',
  'dev: transmit queue full',
  'netfilter: dropped',
];

// The compiled netfilter rule set (MSG_NF_LOAD's A_DATA), little-endian i32 words:
// a header of NF_HDR_WORDS, then chains (NF_CHAIN_WORDS each), rules (NF_RULE_WORDS each),
// multiport ranges (one word each: lo | hi << 16) and interface names (u16 length + UTF-16).
export const NF_MAGIC = 0x3130464e; // 'NF01'
export const NF_HDR_WORDS = 16;
export const NF_H_FLAGS = 1; // NF_F_*
export const NF_H_CHAINS = 2;
export const NF_H_RULES = 3;
export const NF_H_PORTS = 4;
export const NF_H_HOOKS = 6; // 5 hooks x [filter, nat]: the built-in chain's index, or -1
export const NF_F_CONNTRACK = 1;
export const HOOK_PREROUTING = 0;
export const HOOK_INPUT = 1;
export const HOOK_FORWARD = 2;
export const HOOK_OUTPUT = 3;
export const HOOK_POSTROUTING = 4;
export const NF_TABLE_FILTER = 0;
export const NF_TABLE_NAT = 1;
export const NF_CHAIN_WORDS = 4; // first rule, rule count, policy (NF_POLICY_*), counted
export const NF_POLICY_NONE = 0;
export const NF_POLICY_ACCEPT = 1;
export const NF_POLICY_DROP = 2;
export const NF_RULE_WORDS = 32;
// Rule words.
export const R_FLAGS = 0; // M_* present
export const R_INV = 1; // M_* inverted
export const R_SRC = 2;
export const R_SMASK = 3;
export const R_DST = 4;
export const R_DMASK = 5;
export const R_PROTO = 6;
export const R_IIF = 7; // byte offset of the name in the string area
export const R_OIF = 8;
export const R_SPORT = 9; // lo | hi << 16
export const R_DPORT = 10;
export const R_ICMP = 11; // type | code lo << 8 | code hi << 16
export const R_MARK = 12;
export const R_MARK_MASK = 13;
export const R_CTSTATE = 14;
export const R_SRCTYPE = 15;
export const R_DSTTYPE = 16;
export const R_MPORT_DIR = 17; // 1 source, 2 destination, 3 either
export const R_MPORT_AT = 18;
export const R_MPORT_N = 19;
export const R_TARGET = 20; // T_*
export const R_ARG0 = 21;
export const R_ARG1 = 22;
export const R_ARG2 = 23;
export const R_ARG3 = 24;
export const M_SRC = 1;
export const M_DST = 2;
export const M_PROTO = 4;
export const M_IIF = 8;
export const M_OIF = 16;
export const M_SPORT = 32;
export const M_DPORT = 64;
export const M_ICMP = 128;
export const M_MARK = 256;
export const M_CTSTATE = 512;
export const M_SRCTYPE = 1024;
export const M_DSTTYPE = 2048;
export const M_MPORT = 4096;
// Targets. ARG0..3: JUMP chain index; REJECT icmp code (255 tcp-reset); MARK value, mask
// (new = (old & ~mask) ^ value); SNAT/DNAT/MASQUERADE address (0: the outgoing device's),
// ports lo | hi << 16 (0: keep), NAT_F_*.
export const T_NONE = 0;
export const T_ACCEPT = 1;
export const T_DROP = 2;
export const T_RETURN = 3;
export const T_JUMP = 4;
export const T_REJECT = 5;
export const T_LOG = 6;
export const T_MARK = 7;
export const T_MASQUERADE = 8;
export const T_SNAT = 9;
export const T_DNAT = 10;
export const NAT_F_RANDOM_FULLY = 1;
// Conntrack states as -m conntrack --ctstate has them (XT_CONNTRACK_STATE_*).
export const CT_INVALID = 1;
export const CT_ESTABLISHED = 2;
export const CT_RELATED = 4;
export const CT_NEW = 8;
export const CT_UNTRACKED = 16;
export const CT_SNAT = 32;
export const CT_DNAT = 64;
// Conntrack entry status (IPS_*).
export const IPS_SEEN_REPLY = 2;
export const IPS_ASSURED = 4;
export const IPS_CONFIRMED = 8;
export const IPS_SRC_NAT = 16;
export const IPS_DST_NAT = 32;
export const IPS_SRC_NAT_DONE = 128;
export const IPS_DST_NAT_DONE = 256;
