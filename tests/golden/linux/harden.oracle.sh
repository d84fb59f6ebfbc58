#!/usr/bin/env bash
# Hardening limits on real Linux: the neighbour table's gc thresholds and which ARP senders it
# refuses to learn, the counters `ip -s neigh` and /proc/net/stat/arp_cache print, the largest
# ping answered (reassembly), the unresolved-neighbour queue (unres_qlen_bytes) and the frag
# limits. Two namespaces joined by a veth.
# usage: linux-harden-lab.sh OUTDIR   (needs arp-send.py beside it)
set -uo pipefail
out=${1:?outdir}; mkdir -p "$out"; here=$(cd "$(dirname "$0")" && pwd)
a=flha; b=flhb
for n in $a $b; do ip netns del $n 2>/dev/null; ip netns add $n; done
trap 'ip netns del $a; ip netns del $b' EXIT
x() { local n=$1; shift; echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
for n in $a $b; do
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $n link set lo up
done
ip link add eth0 netns $a type veth peer name eth0 netns $b
ip -n $a addr add 172.16.112.130/24 dev eth0; ip -n $a link set eth0 up
ip -n $b addr add 172.16.112.131/24 dev eth0; ip -n $b link set eth0 up
sleep 1
{
echo "# defaults"
x $b sysctl net.ipv4.neigh.default.gc_thresh1 net.ipv4.neigh.default.gc_thresh2 net.ipv4.neigh.default.gc_thresh3 net.ipv4.neigh.default.gc_interval net.ipv4.neigh.default.gc_stale_time net.ipv4.neigh.eth0.unres_qlen_bytes net.ipv4.neigh.eth0.unres_qlen net.ipv4.neigh.default.unres_qlen_bytes net.ipv4.ipfrag_high_thresh net.ipv4.ipfrag_low_thresh net.ipv4.ipfrag_time
x $b sysctl -w net.ipv4.neigh.default.gc_thresh3=abc
x $b sysctl net.ipv4.neigh.eth0.gc_thresh1
echo "# martian ARP senders: neither learned nor answered"
ip netns exec $a "$here/arp-send.py" eth0 172.16.112.131 --senders 127.0.0.1 0.1.2.3 224.0.0.5 255.255.255.255 172.16.112.255 172.16.112.131 240.0.0.1 172.16.112.7
sleep 0.3
x $b ip neigh show dev eth0
x $b ip -s neigh show 172.16.112.7
echo "# 2000 senders: the table stops at gc_thresh3"
ip netns exec $a "$here/arp-send.py" eth0 172.16.112.131 2000 10.1.0.1
sleep 0.5
echo "\$ ip neigh show dev eth0 | wc -l"; ip netns exec $b ip neigh show dev eth0 | wc -l
echo "\$ ip neigh show nud stale dev eth0 | wc -l"; ip netns exec $b ip neigh show nud stale dev eth0 | wc -l
x $b head -2 /proc/net/stat/arp_cache
x $b ip -s ntable show name arp_cache dev eth0
x $b ip -s ntable show name arp_cache
echo "# 6 s later, 100 more senders: forced gc trims entries older than 5 s down to gc_thresh2"
sleep 6
ip netns exec $a "$here/arp-send.py" eth0 172.16.112.131 100 10.2.0.1
sleep 0.3
echo "\$ ip neigh show dev eth0 | wc -l"; ip netns exec $b ip neigh show dev eth0 | wc -l
echo "# 100 s later: periodic gc removed the entries unused for gc_stale_time (60 s)"
sleep 100
echo "\$ ip neigh show dev eth0 | wc -l"; ip netns exec $b ip neigh show dev eth0 | wc -l
} > "$out/neigh-gc.txt"
ip netns exec $b ip neigh flush dev eth0
ip netns exec $a ip neigh flush dev eth0
{
echo "# the first big ping to an unresolved neighbour is answered (unres_qlen_bytes)"
x $a ip neigh show dev eth0
x $a ping -c 1 -s 4500 -W 2 172.16.112.131
x $a ping -c 1 -s 65507 -W 2 172.16.112.131
x $a ping -c 1 -s 65508 -W 2 172.16.112.131
x $a ping -c 1 -s 30000 -W 2 127.0.0.1
} > "$out/ping-big.txt"
