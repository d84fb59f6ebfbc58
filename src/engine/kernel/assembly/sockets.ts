// Sockets.

import * as A from './abi';
import { Netns, Sock, allLinks, sockets, drops, addCaptures, random32 } from './state';
import { has, u32a, i32a, stra, ptra, lena, begin, end, wu32, wf64, fail, resetOut } from './msg';
import { csum } from './bytes';
import {
  ENOENT,
  EIO,
  EBADF,
  EBUSY,
  ENODEV,
  EINVAL,
  EMSGSIZE,
  EADDRINUSE,
  EADDRNOTAVAIL,
} from './errno';
import {
  PROTO_UDP,
  UDP_HLEN,
  ICMP_HLEN,
  udpSetSource,
  udpSetDest,
  udpSetLen,
  udpSetCheck,
  icmpCheck,
  icmpSetCheck,
} from './headers';
import { ipSendLocal, lastMtu, tunInput } from './local-out';
import { deleteLink, newLink, nsGet, validName } from './nl-link';

function newSock(kind: i32, ns: Netns): Sock {
  let fd = 3;
  while (fd < sockets.length && sockets[fd] != null) fd++;
  while (sockets.length <= fd) sockets.push(null);
  const s = new Sock(fd, kind, ns);
  sockets[fd] = s;
  return s;
}

function sockFromReq(kind: i32): Sock | null {
  const fd = i32a(A.A_FD, -1);
  if (fd < 0 || fd >= sockets.length) return null;
  const s = sockets[fd];
  if (s == null || s.kind != kind) return null;
  return s;
}

function replyFd(fd: i32, ifindex: i32): i32 {
  resetOut();
  begin();
  wu32(A.A_FD, <u32>fd);
  if (ifindex > 0) wu32(A.A_IFINDEX, <u32>ifindex);
  end();
  return 0;
}

export function icmpOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const s = newSock(A.DELIVER_ICMP, ns);
  ns.rawSocks.push(s);
  return replyFd(s.fd, 0);
}

export function icmpSend(): i32 {
  const s = sockFromReq(A.DELIVER_ICMP);
  if (s == null) return fail(EBADF);
  const p = ptra(A.A_DATA);
  const len = lena(A.A_DATA);
  if (len < ICMP_HLEN) return fail(EINVAL);
  if (icmpCheck(p) == 0) icmpSetCheck(p, csum(p, len));
  const src = u32a(A.A_SRC);
  if (src != 0 && !s.ns.isLocalAddr(src)) return fail(EADDRNOTAVAIL);
  const r = ipSendLocal(
    s.ns,
    u32a(A.A_DST),
    src,
    1,
    p,
    len,
    u32a(A.A_TTL, 64),
    u32a(A.A_TOS),
    u32a(A.A_DF) != 0,
    false,
  );
  if (r < 0) return fail(-r, '', r == -EMSGSIZE ? lastMtu : 0);
  return 0;
}

export function udpOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const s = newSock(A.DELIVER_UDP, ns);
  return replyFd(s.fd, 0);
}

function portInUse(ns: Netns, addr: u32, port: u32): bool {
  for (let i = 0; i < ns.udpSocks.length; i++) {
    const o = ns.udpSocks[i];
    if (o.port == port && (o.addr == 0 || addr == 0 || o.addr == addr)) return true;
  }
  return false;
}

function bindSock(s: Sock, addr: u32, port: u32): i32 {
  const ns = s.ns;
  if (addr != 0 && !ns.isLocalAddr(addr)) return EADDRNOTAVAIL;
  if (port == 0) {
    for (let tries = 0; tries < 28232; tries++) {
      const p = 32768 + (random32() % 28232);
      if (!portInUse(ns, addr, p)) {
        port = p;
        break;
      }
    }
    if (port == 0) return EADDRINUSE;
  } else if (portInUse(ns, addr, port)) return EADDRINUSE;
  s.addr = addr;
  s.port = port;
  ns.udpSocks.push(s);
  return 0;
}

export function udpBind(): i32 {
  const s = sockFromReq(A.DELIVER_UDP);
  if (s == null) return fail(EBADF);
  if (s.port != 0) return fail(EINVAL);
  const e = bindSock(s, u32a(A.A_LOCAL), u32a(A.A_PORT));
  if (e != 0) return fail(e);
  return 0;
}

export function udpSend(): i32 {
  const s = sockFromReq(A.DELIVER_UDP);
  if (s == null) return fail(EBADF);
  if (s.port == 0) {
    const e = bindSock(s, 0, 0);
    if (e != 0) return fail(e);
  }
  const data = ptra(A.A_DATA);
  const dlen = max(0, lena(A.A_DATA));
  if (dlen > 65507) return fail(EMSGSIZE);
  // Build the UDP header in front of the payload: the request buffer has room before it
  // (the attribute header), so copy into a scratch area instead.
  const tot = UDP_HLEN + dlen;
  const p = heap.alloc(<usize>tot);
  memory.copy(p + UDP_HLEN, data, <usize>dlen);
  udpSetSource(p, s.port);
  udpSetDest(p, u32a(A.A_PORT));
  udpSetLen(p, <u32>tot);
  udpSetCheck(p, 0);
  const r = ipSendLocal(s.ns, u32a(A.A_DST), s.addr, PROTO_UDP, p, tot, 64, 0, false, true);
  heap.free(p);
  if (r < 0) return fail(-r, '', r == -EMSGSIZE ? lastMtu : 0);
  return 0;
}

export function tunOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const name = stra(A.A_NAME);
  if (!validName(name)) return fail(EINVAL, 'Invalid interface name');
  let l = ns.linkByName(name);
  if (l != null) {
    if (l.kind != A.KIND_TUN || l.tunFd >= 0) return fail(EBUSY);
  } else {
    l = newLink(ns, A.KIND_TUN, name);
  }
  const s = newSock(A.DELIVER_TUN, ns);
  s.link = l;
  l.tunFd = s.fd;
  return replyFd(s.fd, l.ifindex);
}

export function tunWrite(): i32 {
  const s = sockFromReq(A.DELIVER_TUN);
  if (s == null) return fail(EBADF);
  const l = s.link;
  if (l == null) return fail(EBADF);
  if (!l.up) return fail(EIO); // as a write to a down tun device
  const r = tunInput(l, ptra(A.A_DATA), max(0, lena(A.A_DATA)));
  if (r < 0) return fail(-r);
  return 0;
}

export function captureOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const ifindex = i32a(A.A_IFINDEX);
  if (ifindex != 0 && ns.link(ifindex) == null) return fail(ENODEV);
  const s = newSock(A.DELIVER_CAPTURE, ns);
  s.ifindex = ifindex;
  ns.captures.push(s);
  addCaptures(1);
  return replyFd(s.fd, 0);
}

export function closeSock(s: Sock): void {
  const ns = s.ns;
  if (s.kind == A.DELIVER_ICMP) {
    const i = ns.rawSocks.indexOf(s);
    if (i >= 0) ns.rawSocks.splice(i, 1);
  } else if (s.kind == A.DELIVER_UDP) {
    const i = ns.udpSocks.indexOf(s);
    if (i >= 0) ns.udpSocks.splice(i, 1);
  } else if (s.kind == A.DELIVER_CAPTURE) {
    const i = ns.captures.indexOf(s);
    if (i >= 0) {
      ns.captures.splice(i, 1);
      addCaptures(-1);
    }
  } else if (s.kind == A.DELIVER_TUN) {
    const l = s.link;
    // A non-persistent TUN device disappears with its last fd.
    if (l != null) {
      l.tunFd = -1;
      if (allLinks[l.id] != null) deleteLink(l);
    }
  }
  sockets[s.fd] = null;
}

export function close(): i32 {
  const fd = i32a(A.A_FD, -1);
  if (fd < 0 || fd >= sockets.length) return fail(EBADF);
  const s = sockets[fd];
  if (s == null) return fail(EBADF);
  closeSock(s);
  return 0;
}

export function dropsDump(): i32 {
  resetOut();
  for (let i = 0; i < A.DROP_COUNT; i++) {
    if (drops[i] == 0) continue;
    begin();
    wu32(A.A_KEY, <u32>i);
    wf64(A.A_COUNT, drops[i]);
    end();
  }
  return 0;
}

