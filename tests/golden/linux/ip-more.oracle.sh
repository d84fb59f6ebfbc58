#!/usr/bin/env bash
# More real iproute2 6.1 output: errors, help texts, formats, in private namespaces.
set -uo pipefail
n=flmore; p=flmorep
ip netns del $n 2>/dev/null; ip netns del $p 2>/dev/null; ip netns add $n; ip netns add $p
trap 'ip netns del $n; ip netns del $p 2>/dev/null' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
xp() { echo "\$ [pod] $*"; ip netns exec $p "$@" 2>&1; echo "[exit $?]"; }
ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec $p sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $n link set lo up
ip -n $n link add cni0 type bridge; ip -n $n addr add 10.244.1.1/24 dev cni0; ip -n $n link set cni0 up
ip -n $n link add veth1 type veth peer name eth0 netns $p
ip -n $n link set veth1 master cni0; ip -n $n link set veth1 up
ip -n $p link set eth0 up; ip -n $p link set lo up; ip -n $p addr add 10.244.1.2/24 dev eth0
ip -n $p route add default via 10.244.1.1
{
x ip -V
x ip help
x ip link help
x ip link xyz
x ip route xyz
x ip addr xyz
x ip neigh xyz
x ip netns xyz
x ip link show
x ip -br link
x ip -j link show cni0
x ip -j -p link show lo
x ip -o addr
x ip -4 addr
x ip link add veth1 type veth peer name veth1b
x ip link add
x ip link add foo
x ip link add foo type nosuchkind
x ip link del eth9
x ip link set dev veth1 mtu abc
x ip link set dev veth1 mtu 99999
x ip link set dev veth1 address zz
x ip link set dev veth1 master eth9
x ip link set dev veth1 frobnicate
x ip link set veth1
x ip addr add 10.244.1.1/24 dev cni0
x ip addr del 10.99.0.1/24 dev cni0
x ip addr add 10.244.1.9 dev cni0
x ip addr show dev cni0
x ip addr del 10.244.1.9 dev cni0
x ip addr add 10.244.1.9/24 brd + dev cni0
x ip addr show cni0
x ip addr flush dev cni0
x ip addr show cni0
x ip addr add 10.244.1.1/24 dev cni0
x ip addr add 10.1.2.3/24 dev cni0 scope link
x ip addr show eth9
x ip addr add dev cni0
x ip route show table local
x ip route add unreachable 10.50.0.0/24
x ip route add blackhole 10.51.0.0/24
x ip route add prohibit 10.52.0.0/24
x ip route add 10.53.0.0/24 dev cni0 metric 100
x ip route add 10.54.0.0/24 via 10.244.1.5 dev cni0
x ip route add 10.55.0.0/24 via 10.244.1.5
x ip route add 10.56.0.0/24 via 10.99.1.5
x ip route add 10.57.0.0/24 dev eth9
x ip route add default via 10.244.1.254
x ip route add 10.58.0.0/24 via 10.244.1.5 dev cni0 src 10.244.1.1
x ip route add 10.59.0.0/24 dev cni0 scope link proto static
x ip route replace 10.53.0.0/24 dev cni0 metric 100
x ip route append 10.53.0.0/24 dev cni0 metric 100
x ip route change 10.60.0.0/24 dev cni0
x ip route add 10.61.0.0/24 dev cni0 bogus
x ip route add 10.62.0.0/24 dev cni0 dev cni0
x ip route
x ip -j route
x ip -j -p route show 10.54.0.0/24
x ip route show 10.54.0.0/24
x ip route show table main dev cni0
x ip route show dev eth9
x ip route get 10.54.0.1
x ip route get 10.50.0.1
x ip route get 10.244.1.1
x ip route get 127.0.0.1
x ip route get bogus
x ip -j route get 10.54.0.1
x ip route del 10.54.0.0/24 via 10.244.1.6
x ip route del 10.54.0.0/24
x ip route del default
x ip route del unreachable 10.50.0.0/24
x ip route flush dev cni0
x ip route
x ip neigh add 10.244.1.7 lladdr 02:00:00:00:00:07 dev cni0
x ip neigh add 10.244.1.7 lladdr 02:00:00:00:00:07 dev cni0
x ip neigh add 10.244.1.8 lladdr 02:00:00:00:00:08 dev cni0 nud reachable
x ip neigh add 10.244.1.9 lladdr 02:00:00:00:00:09 dev cni0 nud stale
x ip neigh replace 10.244.1.7 lladdr 02:00:00:00:00:77 dev cni0
x ip neigh add 10.244.1.10 dev cni0
x ip neigh add 10.244.1.11 lladdr 02:00:00:00:00:11
x ip neigh add 10.244.1.12 lladdr 02:00:00:00:00:12 dev cni0 nud bogus
x ip neigh add 10.244.1.13 lladdr 02:00:00:00:00:13 dev eth9
x ip neigh
x ip neigh show dev cni0
x ip -j neigh
x ip neigh del 10.244.1.99 dev cni0
x ip neigh del 10.244.1.7 dev cni0
x ip neigh show 10.244.1.8
x ip neigh flush dev cni0
x ip neigh
x bridge link
x bridge link show dev veth1
x bridge -d link
x bridge fdb show br cni0
x bridge fdb show
x bridge -j fdb show br cni0
x bridge fdb add 02:00:00:00:00:aa dev veth1 master static
x bridge fdb show dev veth1
x bridge fdb add 02:00:00:00:00:aa dev veth1 master static
x bridge fdb del 02:00:00:00:00:bb dev veth1 master
x bridge fdb add zz dev veth1
x bridge fdb add 02:00:00:00:00:aa
x bridge fdb del 02:00:00:00:00:aa dev veth1 master
x bridge fdb xyz
x bridge help
x bridge -V
x ip netns list
x ip netns add $p
x ip netns del nosuchns
x ip netns exec nosuchns ip link
x ip netns exec
x ip -n nosuchns link
x ip netns exec $p ip -d link show eth0
xp ip link show eth0
xp ip -br link
xp ip -d link show eth0
xp ip -s link show eth0
xp ip route
xp ip route get 10.244.2.5
xp ip addr show eth0
x ip -d link show veth1
x ip -d link show cni0
x ip link set veth1 nomaster
x ip link set veth1 name veth9
x ip link set veth9 down
x ip link show veth9
x ip link del veth9
x ip link add br1 type bridge
x ip link show br1
x ip link add vx9 type vxlan id 9 dstport 4789
x ip -d link show vx9
x ip link add vx10 type vxlan id 10 local 10.244.1.1 dev cni0 dstport 8472 nolearning
x ip link add vx11 type vxlan
x ip link add vx12 type vxlan id abc
x ip link set vx10 up
x ip link show vx10
x ip link add ve1 type veth peer name ve2
x ip link show ve1
x ip -d link show ve1
x ip link set ve2 netns $p
x ip link show ve1
x ip link set ve1 netns nosuchns
x ip -s -s link show lo
x ip -br addr show dev cni0
x ip -br -4 addr
x ip -o -4 addr show dev cni0
x ip -6 route
x ip -4 route
x ip addr show up
x ip link show up
x ip route show proto kernel
x ip route show scope link
x ip route show type unreachable
x ip route list
x ip route lst
x ip addr sh
x ip l
x ip n
x ip li sh
x ip -j -p neigh
x ip -d route
} > /tmp/oracle/ip-more.txt 2>&1
echo done
