#!/usr/bin/env bash
# Sixth batch: vxlan without dstport, route selectors root/match, link set extras.
set -uo pipefail
n=flm7
ip netns del $n 2>/dev/null; ip netns add $n; trap 'ip netns del $n' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
ip -n $n link set lo up
ip -n $n link add cni0 type bridge; ip -n $n addr add 10.244.1.1/24 dev cni0; ip -n $n link set cni0 up
ip -n $n route add 10.244.0.0/16 via 10.244.1.9
ip -n $n route add 10.244.3.0/24 via 10.244.1.9
{
x ip link add vx5 type vxlan id 5
x ip route show root 10.244.0.0/16
x ip route show match 10.244.3.7
x ip route show exact 10.244.0.0/16
x ip link set cni0 promisc on
x ip link show cni0
x ip link set cni0 promisc off
x ip link set cni0 txqueuelen 500
x ip link set cni0 arp off
x ip link show cni0
} > /tmp/oracle/ip-more6.txt 2>&1
