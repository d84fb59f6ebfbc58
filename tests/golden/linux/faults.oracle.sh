#!/usr/bin/env bash
# Faults on real Linux: tc qdiscs (defaults per device kind, -s counters, errors), what
# `ip link set X down` takes away, a cable cut (the peer of a host's NIC goes down: NO-CARRIER),
# and an MTU mismatch between two hosts of one L2 segment.
# The oracle's kernel has no sch_netem (`Error: Specified qdisc kind is unknown.`); a pfifo
# stands in for the -s counters after N pings, so the counter format is real.
# usage: linux-faults-lab.sh OUTDIR
set -uo pipefail
out=${1:?outdir}; mkdir -p "$out"
a=flfa; b=flfb; w=flfw
for n in $a $b $w; do ip netns del $n 2>/dev/null; ip netns add $n; done
trap 'ip netns del $a; ip netns del $b; ip netns del $w' EXIT
x() { local n=$1; shift; echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
for n in $a $b; do
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $n link set lo up
done
ip netns exec $w sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $w link add sw type bridge; ip -n $w link set sw up
ip link add eth0 netns $a type veth peer name pa netns $w
ip link add eth0 netns $b type veth peer name pb netns $w
for p in pa pb; do ip -n $w link set $p master sw; ip -n $w link set $p up; done
ip -n $a addr add 172.16.112.130/24 dev eth0; ip -n $a link set eth0 up
ip -n $b addr add 172.16.112.131/24 dev eth0; ip -n $b link set eth0 up
ip -n $a link add cni0 type bridge; ip -n $a addr add 10.244.0.1/24 dev cni0; ip -n $a link set cni0 up
ip -n $a link add flannel.1 type vxlan id 1 local 172.16.112.130 dev eth0 dstport 8472 nolearning
ip -n $a link set flannel.1 mtu 1450; ip -n $a addr add 10.244.0.0/32 dev flannel.1; ip -n $a link set flannel.1 up
ip -n $a route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
ip -n $a route add 10.99.0.0/16 via 172.16.112.131
ip netns exec $a ip tuntap add dev flannel0 mode tun; ip -n $a link set flannel0 up
ip -n $a link add dummyv type veth peer name dummyp
sleep 1
{
echo "# tc: the qdiscs a netns gets per device kind, counters, errors"
x $a tc qdisc show
x $a tc qdisc
x $a tc -s qdisc show dev eth0
x $a tc qdisc show dev flannel0
x $a tc -s qdisc show dev flannel0
x $a tc qdisc show dev dummyv
x $a tc qdisc show dev eth9
x $a tc qdisc add dev eth0 root netem delay 100ms 10ms
x $a tc qdisc add dev eth9 root netem delay 100ms
x $a tc qdisc del dev eth0 root
x $a tc qdisc add dev eth0 root netem delay abc
x $a tc qdisc add dev eth0 root netem loss 120%
x $a tc qdisc add dev eth0 root netem reorder 25%
x $a tc qdisc add dev eth0 root netem gap 5
x $a tc qdisc add dev eth0 root netem foo
x $a tc qdisc add dev eth0 root netem rate fast
x $a tc qdisc add dev eth0 netem delay 1ms
x $a tc qdisc add dev eth0 root
x $a tc qdisc frob dev eth0 root
x $a tc foo
x $a tc qdisc change dev eth0 root pfifo
x $a tc qdisc add dev eth0 root pfifo
x $a tc qdisc add dev eth0 root pfifo
x $a tc qdisc show dev eth0
x $a ping -c 3 -i 0.2 -q 172.16.112.131
x $a tc -s qdisc show dev eth0
x $a tc qdisc replace dev eth0 root pfifo limit 50
x $a tc -s qdisc show dev eth0
x $a tc qdisc del dev eth0 root
x $a tc qdisc del dev eth0 root
x $a tc qdisc show dev eth0
echo "# ip link set down: what goes, what stays, what a route add and a ping say"
x $a ping -c 1 -W 1 -q 172.16.112.131
x $a ip neigh show dev eth0
x $a ip link set eth0 down
x $a ip link show eth0
x $a ip addr show dev eth0
x $a ip route
x $a ip route show table local
x $a ip neigh show dev eth0
x $a ip route add 10.98.0.0/16 via 172.16.112.131
x $a ip route add 10.98.0.0/16 dev eth0
x $a ip route add 10.98.0.0/16 via 172.16.112.131 dev eth0 onlink
x $a ping -c 1 -W 1 172.16.112.131
x $a ping -c 1 -W 1 172.16.112.130
x $a ip link set eth0 up
x $a ip route
x $a ip link set flannel.1 down
x $a ip route
x $a ip link show flannel.1
x $a ip link set flannel.1 up
x $a ip route
x $a ip link set cni0 down
x $a ip -br link show cni0
x $a ip link set cni0 up
echo "# a cut cable: the switch's end of the host's NIC goes down"
x $w ip link set pa down
sleep 1
x $a ip link show eth0
x $a ip -br link show eth0
x $a ip route
x $a ping -c 2 -W 1 172.16.112.131
x $a ip neigh show dev eth0
x $w ip link set pa up
sleep 1
x $a ip link show eth0
x $a ping -c 1 -W 1 -q 172.16.112.131
echo "# MTU mismatch: a's eth0 at 1400, b's at 1500"
x $a ip link set eth0 mtu 1400
x $a ip link show eth0
x $a ping -c 1 -W 1 -s 1372 172.16.112.131
x $a ping -c 1 -W 1 -s 1373 -M do 172.16.112.131
x $a ping -c 1 -W 1 -s 1472 -M do 172.16.112.131
x $a ping -c 1 -W 1 -s 1472 172.16.112.131
x $b ping -c 1 -W 1 -s 1372 172.16.112.130
x $b ping -c 1 -W 1 -s 1472 172.16.112.130
x $b ping -c 1 -W 1 -s 1472 -M do 172.16.112.130
x $a ip -s link show eth0
x $a ip link set eth0 mtu 1500
} > "$out/faults.txt"
