#!/usr/bin/env bash
set -uo pipefail
n=flm2; p=flm2p
ip netns del $n 2>/dev/null; ip netns del $p 2>/dev/null; ip netns add $n; ip netns add $p
trap 'ip netns del $n; ip netns del $p 2>/dev/null' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec $p sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $n link set lo up
ip -n $n link add cni0 type bridge; ip -n $n addr add 10.244.1.1/24 dev cni0; ip -n $n link set cni0 up
ip -n $n link add veth1 type veth peer name eth0 netns $p
ip -n $n link set veth1 master cni0; ip -n $n link set veth1 up
ip -n $p link set eth0 up; ip -n $p link set lo up; ip -n $p addr add 10.244.1.2/24 dev eth0
ip -n $n link add veth2 type veth peer name eth0b netns $p
ip -n $n link set veth2 master cni0
ip netns exec $p ping -c1 -W1 10.244.1.1 >/dev/null
{
x ip -j link show veth1
x ip -j addr show veth1
x ip -j -p link show veth1
x bridge help
x bridge link
x bridge -j link
x bridge fdb show br cni0
x bridge -j fdb show dev veth1
x bridge fdb show dev eth9
x bridge fdb add 02:00:00:00:00:aa dev eth9
x bridge fdb add 02:00:00:00:00:aa dev veth1 dst 1.2.3.4 self
x bridge fdb replace 02:00:00:00:00:ab dev veth1 master
x bridge fdb show dev veth1
x ip addr flush
x ip netns exec $p
x ip route get 10.244.1.2 from 10.244.1.1
x ip -j route get 10.244.1.1
x ip -o link
x ip -br link show type bridge
x ip link show master cni0
x ip neigh show nud permanent
x ip -s neigh
x ip route show table all
x ip route show table 5
x ip route add 10.70.0.0/24 dev cni0 table 5
x ip link set veth2 up
x ip link set cni0 mtu 1450
x ip link show cni0
x ip addr del 10.244.1.1/24 dev eth9
x ip addr add 10.244.1.1/33 dev cni0
x ip route add 10.244.1.0/33 dev cni0
x ip route add 10.244.1.7/24 dev cni0
x ip link set dev veth1 up down
x ip -4 -br a
x ip -d -j route
} > /tmp/oracle/ip-more2.txt 2>&1
echo done
