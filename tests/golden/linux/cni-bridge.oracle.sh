#!/usr/bin/env bash
# What the CNI bridge plugin (containernetworking-plugins 1.1.1, Debian) leaves on a node and in
# a pod when flannel's CNI plugin delegates to it: the delegate config flannel builds from
# subnet.env (hairpinMode, isDefaultGateway, mtu, host-local with the subnet and a route to the
# flannel network). Two pods, then one deleted. Host and pods are private network namespaces.
set -uo pipefail
h=flcni; p1=flcnip1; p2=flcnip2
data=$(mktemp -d)
cleanup() { for n in $h $p1 $p2; do ip netns del $n 2>/dev/null; done; rm -rf "$data"; }
cleanup; trap cleanup EXIT
for n in $h $p1 $p2; do
  ip netns add $n
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n $h link set lo up
conf() {
  cat <<JSON
{"cniVersion":"0.3.1","hairpinMode":true,"ipMasq":false,"ipam":{"dataDir":"$data","ranges":[[{"subnet":"10.244.1.0/24"}]],"routes":[{"dst":"10.244.0.0/16"}],"type":"host-local"},"isDefaultGateway":true,"isGateway":true,"mtu":1450,"name":"cbr0","type":"bridge"}
JSON
}
cni() { # cni ADD|DEL containerid netns
  conf | ip netns exec $h env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 \
    CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge
  echo "[exit $?]"
}
x() { echo "\$ $*"; "$@" 2>&1; echo "[exit $?]"; }
hx() { echo "# $* (node)"; ip netns exec $h "$@" 2>&1; }
px() { local n=$1; shift; echo "# $* (pod $n)"; ip netns exec $n "$@" 2>&1; }
{
echo "# cni ADD pod1"; cni ADD c0ffee01 $p1
echo "# cni ADD pod2"; cni ADD c0ffee02 $p2
hx ip addr
hx ip -d link show cni0
hx ip -d link show master cni0
hx bridge -d link
hx ip route
hx sysctl net.ipv4.ip_forward
px $p1 ip addr
px $p1 ip route
px $p1 ip -d link show eth0
px $p1 sysctl net.ipv4.conf.eth0.arp_notify
echo "# ls host-local dataDir/cbr0"; ls "$data/cbr0" | sort
echo "# od -c dataDir/cbr0/10.244.1.2"; od -c "$data/cbr0/10.244.1.2"
echo "# cat dataDir/cbr0/last_reserved_ip.0"; cat "$data/cbr0/last_reserved_ip.0"; echo
echo "# pod2: ip link set eth0 down; ip link set eth0 up: tcpdump -i cni0 -n arp (node)"
cap=$(mktemp); ip netns exec $h tcpdump -i cni0 -n -l arp > "$cap" 2>/dev/null & t=$!; sleep 1
ip netns exec $p2 ip link set eth0 down; ip netns exec $p2 ip link set eth0 up; sleep 1
kill $t; wait $t 2>/dev/null; cut -c17- "$cap"; rm -f "$cap"
echo "# cni DEL pod1"; cni DEL c0ffee01 $p1
hx ip -br link
echo "# ls host-local dataDir/cbr0 after DEL"; ls "$data/cbr0" | sort
px $p1 ip -br link
} 2>&1 | sed "s#$data#DATADIR#g"
