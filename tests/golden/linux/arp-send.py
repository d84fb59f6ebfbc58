#!/usr/bin/env python3
# Sends ARP requests for TARGET from COUNT distinct senders (or the listed ones) out of IFACE.
# usage: arp-send.py IFACE TARGET (COUNT FIRST | --senders a.b.c.d ...)
import socket, struct, sys
iface, target = sys.argv[1], sys.argv[2]
if sys.argv[3] == '--senders':
    senders = sys.argv[4:]
    ips = [struct.unpack('!I', socket.inet_aton(x))[0] for x in senders]
else:
    count, first = int(sys.argv[3]), struct.unpack('!I', socket.inet_aton(sys.argv[4]))[0]
    ips = [first + i for i in range(count)]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
tpa = socket.inet_aton(target)
for i, ip in enumerate(ips):
    mac = bytes([0x02, 0xaa, (i >> 24) & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + struct.pack('!I', ip) + b'\0' * 6 + tpa
    s.send(b'\xff' * 6 + mac + b'\x08\x06' + arp + b'\0' * 18)
