#!/usr/bin/env bash
# Fourth batch: `ip -s addr`, and `ip -j -d link` for each kind the playground models.
set -uo pipefail
n=flm4; p=flm4p
ip netns del $n 2>/dev/null; ip netns del $p 2>/dev/null; ip netns add $n; ip netns add $p
trap 'ip netns del $n; ip netns del $p 2>/dev/null' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $n link set lo up
ip -n $n link add cni0 type bridge; ip -n $n addr add 10.244.1.1/24 dev cni0; ip -n $n link set cni0 up
ip -n $n link add veth1 type veth peer name eth0 netns $p
ip -n $n link set veth1 master cni0; ip -n $n link set veth1 up; ip -n $p link set eth0 up
ip -n $n link add flannel.1 type vxlan id 1 local 10.244.1.1 dev cni0 dstport 8472 nolearning
ip -n $n tuntap add dev flannel0 mode tun
{
x ip -s addr show lo
x ip -s -br link show lo
x ip -j -d link show veth1
x ip -j -d link show flannel.1
x ip -j -d link show flannel0
x ip -j -d link show cni0
} > /tmp/oracle/ip-more4.txt 2>&1
echo done
# plus, in a fresh namespace flm5 (lo down): ip -j -s addr show lo; ip -j -d addr show lo; ip -d addr show lo; ip -s -d link show lo
