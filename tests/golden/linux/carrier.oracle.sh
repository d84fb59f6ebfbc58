#!/usr/bin/env bash
# A host's NIC losing carrier (its cable cut: the far end of the veth goes down), what the
# routes show: `linkdown` on the link-scope routes, none on the host's own local route.
# usage: linux-carrier-lab.sh OUTDIR
set -uo pipefail
out=${1:?outdir}; mkdir -p "$out"
a=flca; w=flcw
for n in $a $w; do ip netns del $n 2>/dev/null; ip netns add $n; done
trap 'ip netns del $a; ip netns del $w' EXIT
x() { local n=$1; shift; echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
ip netns exec $a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $a link set lo up
ip link add eth0 netns $a type veth peer name p0 netns $w
ip -n $a addr add 172.16.112.130/24 dev eth0; ip -n $a link set eth0 up; ip -n $w link set p0 up
ip -n $a route add 10.244.0.0/16 via 172.16.112.2
sleep 1
{
x $w ip link set p0 down
sleep 1
x $a ip link show eth0
x $a ip route
x $a ip route show table local
x $a ip route get 172.16.112.131
x $w ip link set p0 up
sleep 1
x $a ip route
} > "$out/carrier.txt"
