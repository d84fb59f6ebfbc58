#!/usr/bin/env bash
# Third batch: tun devices, JSON statistics, incomplete neighbours, lower-layer-down veths.
set -uo pipefail
n=flm3; p=flm3p
ip netns del $n 2>/dev/null; ip netns del $p 2>/dev/null; ip netns add $n; ip netns add $p
trap 'ip netns del $n; ip netns del $p 2>/dev/null' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $n link set lo up
ip -n $n tuntap add dev flannel0 mode tun
ip -n $n link set flannel0 mtu 1472 up
ip -n $n addr add 10.244.1.0/16 dev flannel0
ip -n $n link add veth1 type veth peer name eth0 netns $p
ip -n $n addr add 10.9.0.1/24 dev veth1
ip -n $n link set veth1 up
{
x ip -br link show flannel0
x ip -br addr show flannel0
x ip -j link show flannel0
x ip -o link show flannel0
x ip link show veth1
x ip -br link show veth1
x ip -j -s link show lo
x ip -j -p -s link show lo
x ip route get 10.9.0.255
x ip -j route get 10.9.0.255
x ip route get 10.244.5.5
x ip neigh add 10.9.0.7 dev veth1 nud incomplete
x ip neigh add 10.9.0.8 dev veth1 nud failed
x ip neigh add 10.9.0.9 lladdr 02:00:00:00:00:09 dev veth1 nud noarp
x ip neigh
x ip -j neigh
x ip neigh show nud noarp
x ip route add 10.9.0.0/24 dev veth1 metric 5
x ip route
x ip route del 10.9.0.0/24 dev veth1 metric 5
x ip route
x ip route flush
x ip neigh flush
x ip link set veth1 mtu 60
x ip link set veth1 name flannel0
x ip link add dev dummy0 type dummy
x bridge -j -p fdb show dev veth1
x ip -h link show lo
x ip -x link
x ip -j -d link show lo
} > /tmp/oracle/ip-more3.txt 2>&1
echo done
