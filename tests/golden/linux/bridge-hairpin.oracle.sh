#!/usr/bin/env bash
# Hairpin mode and txqueuelen: setting them, what shows, and the errors.
set -uo pipefail
n=flhp
ip netns del $n 2>/dev/null; ip netns add $n; trap 'ip netns del $n' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
ip -n $n link set lo up
ip -n $n link add cni0 type bridge; ip -n $n link set cni0 up
ip -n $n link add veth1 type veth peer name veth1b
ip -n $n link set veth1 master cni0; ip -n $n link set veth1 up
{
x bridge link set dev veth1 hairpin on
x bridge -d link show dev veth1
x ip -d link show veth1
x bridge link set dev veth1 hairpin off
x bridge -d link show dev veth1
x ip link set dev veth1 type bridge_slave hairpin on
x bridge -d link show dev veth1
x bridge link set dev veth1b hairpin on
x ip link set dev veth1b type bridge_slave hairpin on
x bridge link set dev veth1 hairpin maybe
x bridge link set dev nosuch hairpin on
x bridge link set dev veth1
x bridge link set dev veth1 frob
x bridge link set dev veth1 hairpin
x bridge link set hairpin on
x bridge -j link show dev veth1
x ip link add veth2 txqueuelen 0 type veth peer name veth2b txqueuelen 0
x ip link show veth2
x ip link show veth2b
x ip link add veth3 txqueuelen 0 type veth peer name veth3b
x ip link show veth3b
x ip link set veth3b txqueuelen 77
x ip link show veth3b
x ip link set veth3b txqueuelen -1
x ip link show veth3b
x ip link set veth3b txqueuelen abc
x ip -j link show veth2
} 2>&1
