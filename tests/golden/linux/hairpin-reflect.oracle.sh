#!/usr/bin/env bash
# A pod on cni0 pings its gateway and an absent neighbour, with its veth's hairpin mode off and
# then on: tcpdump in the pod (timestamps cut) shows each of its ARP broadcasts once, and twice
# with hairpin on (the bridge sends floods back out of the port they came in on).
set -uo pipefail
h=flhr; p=flhrp
run() {
  for n in $h $p; do ip netns del $n 2>/dev/null; ip netns add $n; done
  ip -n $h link add cni0 type bridge; ip -n $h addr add 10.244.1.1/24 dev cni0; ip -n $h link set cni0 up
  ip link add veth1 netns $h type veth peer name eth0 netns $p
  ip -n $h link set veth1 master cni0 up
  ip -n $p addr add 10.244.1.2/24 dev eth0; ip -n $p link set eth0 up; ip -n $p link set lo up
  ip netns exec $h bridge link set dev veth1 hairpin $1
  sleep 0.5
  local out; out=$(mktemp)
  ip netns exec $p tcpdump -i eth0 -n -l arp or icmp > "$out" 2>/dev/null & local t=$!
  sleep 1
  ip netns exec $p ping -c 1 -W 1 10.244.1.1 >/dev/null
  ip netns exec $p ping -c 1 -W 1 10.244.1.77 >/dev/null
  sleep 1; kill $t; wait 2>/dev/null
  echo "# hairpin $1: tcpdump -i eth0 -n arp or icmp (pod)"; cut -c17- "$out"; rm -f "$out"
  for n in $h $p; do ip netns del $n; done
}
run off; run on
