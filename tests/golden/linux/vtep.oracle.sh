#!/usr/bin/env bash
# Builds, inside private network namespaces only, what flanneld's vxlan (or host-gw) backend
# leaves on three hosts, then pings pod to pod and records the real kernel's tables, captures
# and tcpdump text. Output: a folder of golden references for the playground.
# usage: linux-vxlan-lab.sh OUTDIR [vxlan|host-gw]
set -euo pipefail
mode=vxlan

W=flw
H=(flh1 flh2 flh3)
HIP=(172.16.112.128 172.16.112.133 172.16.112.130)
SUB=(10.244.0 10.244.1 10.244.2)
cleanup() { for n in $W "${H[@]}" flp1 flp2 flp3; do ip netns del $n 2>/dev/null || true; done; }
cleanup; trap cleanup EXIT
ip netns add $W
ip netns exec $W sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $W link add br0 type bridge; ip -n $W link set br0 up
for i in 0 1 2; do
  h=${H[$i]}; p=flp$((i+1))
  ip netns add $h; ip netns add $p
  for n in $h $p; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
  ip netns exec $h sysctl -qw net.ipv4.ip_forward=1
  ip link add eth0 netns $h type veth peer name u$i netns $W
  ip -n $W link set u$i master br0 up
  ip -n $h link set lo up; ip -n $h addr add ${HIP[$i]}/24 dev eth0; ip -n $h link set eth0 up
  # cni0 bridge + one pod
  ip -n $h link add cni0 type bridge
  ip -n $h addr add ${SUB[$i]}.1/24 dev cni0
  ip -n $h link set cni0 up
  ip link add eth0 netns $p type veth peer name veth$i netns $h
  ip -n $h link set veth$i master cni0 up
  ip -n $p link set lo up; ip -n $p addr add ${SUB[$i]}.2/24 dev eth0; ip -n $p link set eth0 up
  ip -n $p route add default via ${SUB[$i]}.1
  if [[ $mode == vxlan ]]; then
    ip -n $h link add flannel.1 type vxlan id 1 local ${HIP[$i]} dev eth0 dstport 8472 nolearning
    ip -n $h link set flannel.1 mtu 1450
    ip -n $h addr add ${SUB[$i]}.0/32 dev flannel.1
    ip -n $h link set flannel.1 up
    ip -n $h link set cni0 mtu 1450; ip -n $p link set eth0 mtu 1450
  fi
done
for i in 0 1 2; do for j in 0 1 2; do
  [[ $i == $j ]] && continue
  h=${H[$i]}
  if [[ $mode == vxlan ]]; then
    mac=$(ip -n ${H[$j]} -br link show flannel.1 | awk '{print $3}')
    ip -n $h route add ${SUB[$j]}.0/24 via ${SUB[$j]}.0 dev flannel.1 onlink
    ip -n $h neigh add ${SUB[$j]}.0 lladdr $mac dev flannel.1 nud permanent
    ip netns exec $h bridge fdb append $mac dev flannel.1 dst ${HIP[$j]} self permanent
  else
    ip -n $h route add ${SUB[$j]}.0/24 via ${HIP[$j]} dev eth0
  fi
done; done
set +e
h=flh2
x() { echo "\$ $*"; ip netns exec $h "$@" 2>&1; echo "[exit $?]"; }
px() { echo "\$ [flp2] $*"; ip netns exec flp2 "$@" 2>&1; echo "[exit $?]"; }
{
x ip -s link show flannel.1
px ping -c 3 -i 0.2 -q 10.244.2.2
x ip -s link show flannel.1
x ip -s -s link show flannel.1
x ip -s link show cni0
x bridge fdb del $(ip -n flh3 -br link show flannel.1 | awk '{print $3}') dev flannel.1 dst 172.16.112.130
px ping -c 2 -i 0.2 -W 1 -q 10.244.2.2
x ip -s link show flannel.1
x ip link add vx2 type vxlan id 16777216 dev eth0 dstport 8472
x ip link add vx2 type vxlan id 1 dev eth0 dstport 8472
x ip link add vx2 type vxlan id 2 dev eth0 dstport 8472
x ip link show vx2
x ip link set flannel.1 mtu 1451
x ip link set flannel.1 mtu 1450
x ip link set flannel.1 mtu 67
x ip link set flannel.1 mtu 68
x ip link show flannel.1
x ip link set flannel.1 mtu 1450
x ip link add vx3 type vxlan id 3 local 172.16.112.133 dev eth0 dstport 8472
x ip link add vx4 type vxlan id 4 dev nosuch dstport 8472
x ip link add vx4 type vxlan id 4 local 1.2.3.4 dstport 8472
x ip -d link show vx4
x ip link del vx4
x ip link add vx5 type vxlan id 5 dev eth0 dstport 70000
x ip link add vx5 type vxlan id 5 dev eth0 dstport 8472 ttl 300
} 2>&1
