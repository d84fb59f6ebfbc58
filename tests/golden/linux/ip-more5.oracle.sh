#!/usr/bin/env bash
# Fifth batch: netns ids in `ip netns list`, `bridge -s fdb`.
set -uo pipefail
n=flm6; p=flm6p; q=flm6q
for x in $n $p $q; do ip netns del $x 2>/dev/null; ip netns add $x; done
trap 'ip netns del $n; ip netns del $p; ip netns del $q' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
ip -n $n link set lo up
ip -n $n link add cni0 type bridge; ip -n $n link set cni0 up
ip -n $n link add veth1 type veth peer name eth0 netns $p
ip -n $n link set veth1 master cni0; ip -n $n link set veth1 up
ip -n $p link set eth0 up; ip -n $p addr add 10.244.1.2/24 dev eth0
ip -n $n addr add 10.244.1.1/24 dev cni0
ip netns exec $p ping -c1 -W1 10.244.1.1 >/dev/null
{
x ip netns list
x bridge -s fdb show dev veth1
x bridge -s -j fdb show dev veth1
} > /tmp/oracle/ip-more5.txt 2>&1
