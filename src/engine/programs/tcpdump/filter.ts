// A subset of pcap-filter(7): host, net, port (with src/dst, ip/tcp/udp qualifiers), the
// protocols ip, arp, icmp, igmp, tcp, udp, and and/or/not (&&, ||, !) with parentheses.
// `compileFilter` returns a predicate over raw frames, or throws FilterError with the text
// libpcap gives (tcpdump prints it after "tcpdump: ").

import { ARP_IPV4_LEN, ArpPacket } from '../../packet/arp.ts';
import { ETHERNET_HEADER_LEN, EtherType, EthernetFrame } from '../../packet/ethernet.ts';
import { type Cidr, cidrContains, parseIpv4, prefixMask, readIpv4 } from '../../packet/ipaddr.ts';
import { IPV4_MIN_HEADER_LEN, IpProtocol, Ipv4Packet } from '../../packet/ipv4.ts';
import { LINKTYPE_RAW } from '../../packet/pcap.ts';
import { LINKTYPE_LINUX_SLL2, SLL2_HEADER_LEN, Sll2Packet } from '../../packet/sll2.ts';
import { UdpPacket } from '../../packet/udp.ts';
import { own } from '../../text/own.ts';

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

const SYNTAX_ERROR = "can't parse filter expression: syntax error";

/** The decoded fields a filter looks at; built once per frame. */
interface FrameFields {
  ethertype: number;
  /** IPv4: addresses, protocol, whether this is a non-first fragment, and the L4 ports. */
  ipSrc?: number;
  ipDst?: number;
  proto?: number;
  laterFragment?: boolean;
  srcPort?: number;
  dstPort?: number;
  /** ARP sender/target protocol addresses. */
  arpSpa?: number;
  arpTpa?: number;
}

export type FramePredicate = (frame: Uint8Array, linktype: number) => boolean;
type Node = (f: FrameFields) => boolean;

type Dir = 'src' | 'dst' | 'either';

/** Port names libpcap knows from /etc/services, for the ports a lab may use. */
const PORT_NAMES: Record<string, number> = {
  domain: 53,
  bootps: 67,
  bootpc: 68,
  ntp: 123,
  snmp: 161,
  syslog: 514,
  http: 80,
  https: 443,
  ssh: 22,
};

/** Compiles an expression (argv words joined by spaces); an empty one matches everything. */
export function compileFilter(expression: string): FramePredicate {
  const tokens = tokenize(expression);
  if (tokens.length === 0) return () => true;
  const parser = new Parser(tokens);
  const node = parser.parseExpression();
  if (!parser.done()) throw new FilterError(SYNTAX_ERROR);
  return (frame, linktype) => {
    const fields = decode(frame, linktype);
    return fields !== null && node(fields);
  };
}

function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /\s*(&&|\|\||[()!]|[^\s()!&|]+|&|\|)/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while ((m = re.exec(text)) !== null) {
    out.push(m[1]!);
    if (re.lastIndex >= text.length) break;
  }
  if (text.trim() !== '' && out.join('').length !== text.replace(/\s+/g, '').length) {
    throw new FilterError(SYNTAX_ERROR);
  }
  return out;
}

/** One parenthesised level of the expression being parsed. */
interface Level {
  /** Finished `and` groups, to be joined by `or`. */
  ors: Node[];
  /** The current `and` group. */
  ands: Node[];
  /** `not`s waiting for the next operand. */
  nots: number;
  /** `not`s before this level's opening parenthesis. */
  negations: number;
}

/**
 * bison's default YYMAXDEPTH (10,000) less the states libpcap's grammar holds below the
 * nesting: 9,995 nested parentheses or 9,996 `not`s parse, one more fails (libpcap 1.10.3).
 */
const MAX_PARSER_STACK = 9996;

/** and / or over a list, flattened so that deep nesting does not nest calls when matching. */
const GROUPS = new WeakMap<Node, { op: 'and' | 'or'; kids: Node[] }>();
function group(op: 'and' | 'or', nodes: Node[]): Node {
  if (nodes.length === 1) return nodes[0]!;
  const kids = nodes.flatMap((n) => (GROUPS.get(n)?.op === op ? GROUPS.get(n)!.kids : [n]));
  const node: Node = op === 'and' ? (f) => kids.every((k) => k(f)) : (f) => kids.some((k) => k(f));
  GROUPS.set(node, { op, kids });
  return node;
}
const all = (nodes: Node[]) => group('and', nodes);
const any = (nodes: Node[]) => group('or', nodes);
const negated = (node: Node, nots: number): Node => (nots % 2 === 0 ? node : (f) => !node(f));

/** Qualifiers of the last primitive, reused when a bare value follows and/or ("port 53 or 80"). */
interface Qualifiers {
  proto?: 'ip' | 'tcp' | 'udp' | 'arp';
  dir: Dir;
  kind: 'host' | 'net' | 'port';
}

class Parser {
  private at = 0;
  private last: Qualifiers | null = null;

  constructor(private readonly tokens: string[]) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private next(): string {
    const t = this.tokens[this.at++];
    if (t === undefined) throw new FilterError(SYNTAX_ERROR);
    return t;
  }

  /**
   * expr := and { or and }, and := unary { and unary }, unary := { not } ( "(" expr ")" |
   * primitive ). Parsed with a stack of its own, as libpcap's bison parser has, rather than
   * the JS call stack: 5,000 nested parentheses are a valid filter, and what bison's stack
   * cannot hold fails with its error.
   */
  parseExpression(): Node {
    const levels: Level[] = [{ ors: [], ands: [], nots: 0, negations: 0 }];
    let stack = 0; // pending nots and open parentheses, as on bison's stack
    let operand = true;
    for (;;) {
      const top = levels[levels.length - 1];
      const t = this.peek();
      if (operand) {
        if (t === 'not' || t === '!' || t === '(') {
          this.at++;
          stack++;
          if (stack + (levels.length > 1 || t === '(' ? 1 : 0) > MAX_PARSER_STACK)
            throw new FilterError("can't parse filter expression: memory exhausted");
          if (t === '(') {
            levels.push({ ors: [], ands: [], nots: 0, negations: top.nots });
            top.nots = 0;
          } else top.nots++;
          continue;
        }
        top.ands.push(negated(this.parsePrimitive(), top.nots));
        stack -= top.nots;
        top.nots = 0;
        operand = false;
      } else if (t === 'and' || t === '&&') {
        this.at++;
        operand = true;
      } else if (t === 'or' || t === '||') {
        this.at++;
        top.ors.push(all(top.ands));
        top.ands = [];
        operand = true;
      } else if (t === ')' && levels.length > 1) {
        this.at++;
        levels.pop();
        stack -= 1 + top.negations;
        levels[levels.length - 1].ands.push(
          negated(any([...top.ors, all(top.ands)]), top.negations),
        );
      } else break;
    }
    if (levels.length > 1) throw new FilterError(SYNTAX_ERROR);
    return any([...levels[0].ors, all(levels[0].ands)]);
  }

  private parsePrimitive(): Node {
    const word = this.next();
    switch (word) {
      case 'ip':
      case 'tcp':
      case 'udp':
      case 'arp':
        if (this.isQualifierNext()) return this.parseQualified(word);
        return protoNode(word);
      case 'icmp':
        return (f) => f.proto === IpProtocol.ICMP;
      case 'igmp':
        return (f) => f.proto === IpProtocol.IGMP;
      case 'src':
      case 'dst':
      case 'host':
      case 'net':
      case 'port':
        this.at--;
        return this.parseQualified(undefined);
      default:
        if (this.last && !KEYWORDS.has(word)) return this.value({ ...this.last }, word);
        throw new FilterError(SYNTAX_ERROR);
    }
  }

  private isQualifierNext(): boolean {
    const t = this.peek();
    return t === 'src' || t === 'dst' || t === 'host' || t === 'net' || t === 'port';
  }

  private parseQualified(proto: Qualifiers['proto']): Node {
    let dir: Dir = 'either';
    let t = this.next();
    if (t === 'src' || t === 'dst') {
      dir = t;
      t = this.next();
    }
    let kind: Qualifiers['kind'];
    if (t === 'host' || t === 'net' || t === 'port') kind = t;
    else {
      // "src 10.0.0.1" means "src host 10.0.0.1".
      if (dir === 'either' || KEYWORDS.has(t)) throw new FilterError(SYNTAX_ERROR);
      this.at--;
      kind = 'host';
    }
    const value = this.next();
    if (KEYWORDS.has(value)) throw new FilterError(SYNTAX_ERROR);
    return this.value({ proto, dir, kind }, value);
  }

  private value(q: Qualifiers, value: string): Node {
    this.last = q;
    const protoOk = q.proto ? protoNode(q.proto) : () => true;
    if (q.kind === 'port') {
      const port = parsePort(value);
      if (q.proto === 'arp') throw new FilterError('port applied to arp');
      const l4 =
        q.proto === 'tcp'
          ? [IpProtocol.TCP]
          : q.proto === 'udp'
            ? [IpProtocol.UDP]
            : [IpProtocol.TCP, IpProtocol.UDP];
      return (f) =>
        f.proto !== undefined &&
        l4.includes(f.proto as 6 | 17) &&
        !f.laterFragment &&
        match(q.dir, f.srcPort === port, f.dstPort === port);
    }
    const cidr = q.kind === 'host' ? parseHost(value) : parseNet(value);
    const allowIp = q.proto !== 'arp';
    const allowArp = q.proto === undefined || q.proto === 'arp';
    return (f) => {
      if (!protoOk(f)) return false;
      if (allowIp && f.ipSrc !== undefined) {
        return match(q.dir, cidrContains(cidr, f.ipSrc), cidrContains(cidr, f.ipDst!));
      }
      if (allowArp && f.arpSpa !== undefined) {
        return match(q.dir, cidrContains(cidr, f.arpSpa), cidrContains(cidr, f.arpTpa!));
      }
      return false;
    };
  }
}

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  '&&',
  '||',
  '!',
  '&',
  '|',
  '(',
  ')',
  'src',
  'dst',
  'host',
  'net',
  'port',
]);

function match(dir: Dir, src: boolean, dst: boolean): boolean {
  return dir === 'src' ? src : dir === 'dst' ? dst : src || dst;
}

function protoNode(name: 'ip' | 'tcp' | 'udp' | 'arp'): Node {
  switch (name) {
    case 'ip':
      return (f) => f.ethertype === EtherType.IPV4;
    case 'arp':
      return (f) => f.ethertype === EtherType.ARP;
    case 'tcp':
      return (f) => f.proto === IpProtocol.TCP;
    case 'udp':
      return (f) => f.proto === IpProtocol.UDP;
  }
}

function parsePort(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n > 65535) throw new FilterError(`illegal port number ${n} > 65535`);
    return n;
  }
  const named = own(PORT_NAMES, text);
  if (named === undefined) throw new FilterError(`unknown port '${text}'`);
  return named;
}

function parseHost(text: string): Cidr {
  if (/^[\d.]+$/.test(text)) {
    const addr = parseIpv4(text);
    if (addr === null) throw new FilterError(`invalid IPv4 address '${text}'`);
    return { addr, prefixLen: 32 };
  }
  throw new FilterError(`unknown host '${text}'`);
}

function parseNet(text: string): Cidr {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  if (!/^\d+(\.\d+){0,3}$/.test(addrText)) throw new FilterError(`unknown network '${text}'`);
  const parts = addrText.split('.').map(Number);
  if (parts.some((p) => p > 255)) throw new FilterError(`invalid IPv4 address '${addrText}'`);
  let addr = 0;
  for (let i = 0; i < 4; i++) addr = addr * 256 + (parts[i] ?? 0);
  let prefixLen = parts.length * 8;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d+$/.test(lenText)) throw new FilterError(SYNTAX_ERROR);
    prefixLen = Number(lenText);
    if (prefixLen > 32) throw new FilterError('mask length must be <= 32');
  }
  if ((addr & ~prefixMask(prefixLen)) >>> 0 !== 0) {
    throw new FilterError(`non-network bits set in "${text}"`);
  }
  return { addr, prefixLen };
}

/** Pulls out the fields filters test; null when the frame is too short to say anything. */
function decode(frame: Uint8Array, linktype: number): FrameFields | null {
  let ethertype: number;
  let l3: Uint8Array;
  if (linktype === LINKTYPE_RAW) {
    if (frame.length < 1) return null;
    ethertype = frame[0]! >> 4 === 4 ? EtherType.IPV4 : frame[0]! >> 4 === 6 ? EtherType.IPV6 : 0;
    l3 = frame;
  } else if (linktype === LINKTYPE_LINUX_SLL2) {
    if (frame.length < SLL2_HEADER_LEN) return null;
    const sll = Sll2Packet.unchecked(frame);
    ethertype = sll.protocol;
    l3 = sll.payload;
  } else {
    if (frame.length < ETHERNET_HEADER_LEN) return null;
    const ether = EthernetFrame.unchecked(frame);
    ethertype = ether.ethertype;
    l3 = ether.payload;
  }
  const f: FrameFields = { ethertype };
  if (ethertype === EtherType.IPV4 && l3.length >= IPV4_MIN_HEADER_LEN) {
    const ip = Ipv4Packet.unchecked(l3);
    f.ipSrc = ip.src;
    f.ipDst = ip.dst;
    f.proto = ip.protocol;
    f.laterFragment = ip.fragOffset !== 0;
    const hl = ip.headerLen;
    if ((f.proto === IpProtocol.TCP || f.proto === IpProtocol.UDP) && l3.length >= hl + 4) {
      // TCP's ports sit where UDP's do.
      const ports = UdpPacket.unchecked(l3.subarray(hl));
      f.srcPort = ports.srcPort;
      f.dstPort = ports.dstPort;
    }
  } else if (ethertype === EtherType.ARP && l3.length >= ARP_IPV4_LEN) {
    const arp = ArpPacket.unchecked(l3);
    if (arp.protocolLen === 4 && l3.length >= arp.targetProtoOffset + 4) {
      f.arpSpa = readIpv4(l3, arp.senderProtoOffset);
      f.arpTpa = readIpv4(l3, arp.targetProtoOffset);
    }
  }
  return f;
}
