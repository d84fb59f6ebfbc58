# Crafts crafted-edge.pcap (edge cases for the tcpdump printer); texts: tcpdump -n [-v|-vv -e|-e|-vv] -r, tcpdump -e -v -r.
# Crafts edge-case frames tcpdump must print: ICMP errors, fragments, checksums, VXLAN 4789, padding.
import struct, sys

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s > 0xffff: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip(src, dst, proto, payload, ttl=64, ident=1, flags=0, off=0, tos=0, opts=b'', bad=False, total=None):
    hl = 20 + len(opts)
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | hl//4, tos, total or hl+len(payload), ident, (flags << 13) | (off//8), ttl, proto, 0,
                    bytes(map(int, src.split('.'))), bytes(map(int, dst.split('.')))) + opts
    c = csum(h)
    if bad: c ^= 0x1111
    return h[:10] + struct.pack('!H', c) + h[12:] + payload

def udp(src, dst, sp, dp, payload, mode='ok'):
    l = 8 + len(payload)
    u = struct.pack('!HHHH', sp, dp, l, 0) + payload
    if mode == 'zero': return u
    ph = bytes(map(int, src.split('.'))) + bytes(map(int, dst.split('.'))) + struct.pack('!BBH', 0, 17, l)
    c = csum(ph + u) or 0xffff
    if mode == 'bad': c ^= 0x0f0f
    return u[:6] + struct.pack('!H', c) + payload

def icmp(t, code, rest, data, bad=False):
    m = struct.pack('!BBHI', t, code, 0, rest) + data
    c = csum(m)
    if bad: c ^= 0x0101
    return m[:2] + struct.pack('!H', c) + m[4:]

def eth(dst, src, et, payload, pad=0):
    mac = lambda s: bytes(int(x, 16) for x in s.split(':'))
    f = mac(dst) + mac(src) + struct.pack('!H', et) + payload
    return f + b'\0' * max(0, pad - len(f))

A, B = '02:00:00:00:00:0a', '02:00:00:00:00:0b'
def ig(m): return m[:2] + struct.pack('!H', csum(m)) + m[4:]
echo = icmp(8, 0, (0x1f90 << 16) | 3, bytes(range(56)))
inner_echo = ip('10.244.1.2', '10.244.2.2', 1, echo, ident=777, flags=2)
vx_inner = eth(B, A, 0x0800, inner_echo)
vx = struct.pack('!BBBBI', 8, 0, 0, 0, 1 << 8) + vx_inner
outer_udp = ip('172.16.112.133', '172.16.112.130', 17, udp('172.16.112.133', '172.16.112.130', 36760, 8472, vx), ident=5, flags=2)
frames = [
    # frag needed quoting a VXLAN packet (what a host sees when the underlay MTU is too small)
    eth(A, B, 0x0800, ip('172.16.112.1', '172.16.112.133', 1, icmp(3, 4, 1400, outer_udp[:28 + 8 + 8]), tos=0xc0)),
    # frag needed with no MTU
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 1, icmp(3, 4, 0, inner_echo[:28]))),
    # time exceeded quoting an echo request, truncated quote (28 bytes)
    eth(A, B, 0x0800, ip('10.244.0.1', '10.244.1.2', 1, icmp(11, 0, 0, inner_echo[:28]), tos=0xc0)),
    # host, port, protocol unreachable
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 1, icmp(3, 1, 0, inner_echo[:28]))),
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 1, icmp(3, 3, 0, ip('10.0.0.2', '10.0.0.1', 17, udp('10.0.0.2', '10.0.0.1', 40000, 8285, b'hello'))[:28]))),
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 1, icmp(3, 2, 0, ip('10.0.0.2', '10.0.0.1', 99, b'12345678')[:28]))),
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 1, icmp(3, 13, 0, inner_echo[:28]))),
    # bad ICMP checksum; bad IP checksum
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 1, icmp(0, 0, (5 << 16) | 9, b'abcdefgh', bad=True))),
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 1, echo, bad=True)),
    # UDP: good checksum, no checksum, bad length; port 53 without DNS decode risk -> use 8285
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 17, udp('10.0.0.1', '10.0.0.2', 8285, 8285, b'payload!'))),
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 17, udp('10.0.0.1', '10.0.0.2', 1234, 5678, b'xyz', mode='zero'))),
    # VXLAN on the IANA port, good checksum
    eth(A, B, 0x0800, ip('172.16.112.133', '172.16.112.130', 17, udp('172.16.112.133', '172.16.112.130', 50000, 4789, vx), flags=0)),
    # first and second fragments of a UDP datagram
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 17, udp('10.0.0.1', '10.0.0.2', 8285, 8285, bytes(40))[:24], ident=9, flags=1, total=20+24)),
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 17, bytes(24), ident=9, off=24)),
    # padded ARP (60 bytes), reply and gratuitous-style request with a target MAC
    eth('ff:ff:ff:ff:ff:ff', A, 0x0806, struct.pack('!HHBBH', 1, 0x800, 6, 4, 1) + bytes.fromhex('02000000000a') + bytes([10,0,0,1]) + bytes.fromhex('02000000000b') + bytes([10,0,0,2]), pad=60),
    # IP options: NOP, NOP, RA with value; ECN CE
    eth(A, B, 0x0800, ip('10.0.0.1', '224.0.0.1', 2, struct.pack('!BBHI', 0x11, 100, 0, 0), ttl=1, tos=0xc3, opts=b'\x01\x01\x94\x04\x00\x05\x00\x00'[:8])),
    # IGMP v2 report / leave / v3 report with sources, unknown ethertype
    eth(A, B, 0x0800, ip('10.0.0.1', '224.0.0.251', 2, (lambda m: m[:2] + struct.pack('!H', csum(m)) + m[4:])(struct.pack('!BBH4s', 0x16, 0, 0, bytes([224,0,0,251]))), ttl=1)),
    eth(A, B, 0x0800, ip('10.0.0.1', '224.0.0.2', 2, (lambda m: m[:2] + struct.pack('!H', csum(m)) + m[4:])(struct.pack('!BBH4s', 0x17, 0, 0, bytes([224,0,0,251]))), ttl=1)),
    eth(A, B, 0x0800, ip('10.0.0.1', '224.0.0.22', 2, (lambda m: m[:2] + struct.pack('!H', csum(m)) + m[4:])(struct.pack('!BBHHH', 0x22, 0, 0, 0, 2) + struct.pack('!BBH4s', 1, 0, 2, bytes([232,1,1,1])) + bytes([10,0,0,7,10,0,0,8]) + struct.pack('!BBH4s', 6, 0, 0, bytes([232,1,1,2]))), ttl=1)),
    eth(A, B, 0x88b5, b'Hello, lab frame! 0123456789'),
    # IGMP queries: v2 with non-default max resp time and group, v1, v3 (plain, float code, sources), v1 report, unknown
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4s', 0x11, 50, 0, bytes(4))), ttl=1)),
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4s', 0x11, 25, 0, bytes([239, 1, 1, 1]))), ttl=1)),
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4s', 0x11, 0, 0, bytes(4))), ttl=1)),
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4sBBH', 0x11, 100, 0, bytes(4), 2, 125, 0)), ttl=1)),
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4sBBH4s', 0x11, 0x8a, 0, bytes([232, 1, 1, 1]), 2, 125, 1, bytes([10, 0, 0, 9]))), ttl=1)),
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4sBBH', 0x11, 0xf0, 0, bytes([232, 1, 1, 2]), 2, 125, 0)), ttl=1)),
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4s', 0x12, 0, 0, bytes([224, 1, 1, 1]))), ttl=1)),
    eth(A, B, 0x800, ip('10.0.0.1', '224.0.0.1', 2, ig(struct.pack('!BBH4s', 0x99, 7, 0, bytes([224, 1, 1, 1]))), ttl=1)),
    # unknown IP protocol
    eth(A, B, 0x0800, ip('10.0.0.1', '10.0.0.2', 99, b'abcd')),
]
out = open(sys.argv[1], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
t = 1767252729
for i, f in enumerate(frames):
    out.write(struct.pack('<IIII', t + i, 1000 * i + 7, len(f), len(f)))
    out.write(f)
