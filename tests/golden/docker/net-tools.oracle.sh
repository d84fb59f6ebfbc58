#!/usr/bin/env bash
# Records net-tools 2.10 (ifconfig, route -n, netstat -rn, arp -n), bridge-utils' brctl show and
# busybox's ifconfig / ip / ping inside a container-like namespace, on a Docker-mode host built
# in network namespaces: ens33, docker0 (a bridge with --bip's address), a veth into "bbox2",
# flannel0 (a tun, as flannel's udp backend makes it).
# usage: net-tools.oracle.sh OUT
set -uo pipefail
out=${1:?out}
H=dkhost; C=dkbbox; P=dkpeer
cleanup() { ip netns del $H 2>/dev/null; ip netns del $C 2>/dev/null; ip netns del $P 2>/dev/null; }
cleanup; trap cleanup EXIT
ip netns add $H; ip netns add $C; ip netns add $P
h() { ip netns exec $H "$@"; }
c() { ip netns exec $C "$@"; }
h ip link set lo up; c ip link set lo up
# The NIC: a veth whose other end is a peer "gateway" namespace.
ip link add ens33 netns $H type veth peer name gw netns $P
h ip link set ens33 address 00:0c:29:3a:4b:5c
h ip addr add 172.16.112.133/24 brd 172.16.112.255 dev ens33; h ip link set ens33 up
ip netns exec $P ip addr add 172.16.112.2/24 dev gw; ip netns exec $P ip link set gw up
h ip route add default via 172.16.112.2 dev ens33 proto static metric 100
h ip link add docker0 type bridge; h ip link set docker0 address 02:42:d0:bc:0a:1f
h ip addr add 10.100.50.1/24 brd 10.100.50.255 dev docker0; h ip link set docker0 up
h ip link add veth6a1b2c3 type veth peer name eth0 netns $C
h ip link set veth6a1b2c3 master docker0; h ip link set veth6a1b2c3 up
c ip link set eth0 address 02:42:0a:64:32:02
c ip addr add 10.100.50.2/24 brd 10.100.50.255 dev eth0; c ip link set eth0 up
c ip route add default via 10.100.50.1
h ip tuntap add dev flannel0 mode tun
h ip addr add 10.101.83.0/16 dev flannel0; h ip link set flannel0 mtu 1472 up
h ip route add 10.100.83.0/24 via 172.16.112.130 dev ens33
h sysctl -qw net.ipv4.ip_forward=1
sleep 0.3
h ping -c1 -W1 172.16.112.2 >/dev/null
run() { echo "\$ $*"; h "$@" 2>&1; echo "[exit $?]"; }
crun() { echo "\$ (bbox2) $*"; c "$@" 2>&1; echo "[exit $?]"; }
{
run ifconfig docker0
run ifconfig flannel0
run ifconfig
run ifconfig -a lo
run ifconfig nope
run route -n
run route
run netstat -rn
run arp -n
run arp -n -i ens33
run brctl show
run brctl show docker0
run brctl show nope
crun busybox ifconfig
crun busybox ip addr
crun busybox ip add
crun busybox ip route
crun busybox ip link
crun busybox ping -c 2 10.100.50.1
crun busybox ping -c 1 -W 1 10.100.50.99
crun busybox hostname
crun busybox nope
} > "$out"
echo "net-tools lab done"
