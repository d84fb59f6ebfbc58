#!/usr/bin/env bash
# Netfilter on the vxlan lab of linux-vxlan-lab.sh (three hosts, a pod each, flannel's
# iptables rules as flanneld --ip-masq writes them): policies, DROP / REJECT at each hook,
# masquerade seen on the far host's wire, counters after N pings, conntrack -L, listings and
# iptables' errors. Only private network namespaces are touched.
# usage: linux-netfilter-lab.sh OUTDIR
set -uo pipefail
out=${1:?outdir}; mkdir -p "$out"
W=flw; H=(flh1 flh2 flh3); P=(flp1 flp2 flp3)
HIP=(172.16.112.128 172.16.112.133 172.16.112.130); SUB=(10.244.0 10.244.1 10.244.2)
cleanup() { for n in $W "${H[@]}" "${P[@]}"; do ip netns del $n 2>/dev/null || true; done; }
cleanup; trap cleanup EXIT
ip netns add $W
ip -n $W link add br0 type bridge; ip -n $W link set br0 up
for i in 0 1 2; do
  h=${H[$i]}; p=${P[$i]}
  ip netns add $h; ip netns add $p
  for n in $h $p; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
  ip netns exec $h sysctl -qw net.ipv4.ip_forward=1
  ip link add eth0 netns $h type veth peer name u$i netns $W
  ip -n $W link set u$i master br0 up
  ip -n $h link set lo up; ip -n $h addr add ${HIP[$i]}/24 dev eth0; ip -n $h link set eth0 up
  ip -n $h link add cni0 type bridge; ip -n $h addr add ${SUB[$i]}.1/24 dev cni0; ip -n $h link set cni0 up
  ip link add eth0 netns $p type veth peer name veth$i netns $h
  ip -n $h link set veth$i master cni0 up
  ip -n $p link set lo up; ip -n $p addr add ${SUB[$i]}.2/24 dev eth0; ip -n $p link set eth0 up
  ip -n $p route add default via ${SUB[$i]}.1
  ip -n $h link add flannel.1 type vxlan id 1 local ${HIP[$i]} dev eth0 dstport 8472 nolearning
  ip -n $h link set flannel.1 mtu 1450; ip -n $h addr add ${SUB[$i]}.0/32 dev flannel.1; ip -n $h link set flannel.1 up
  ip -n $h link set cni0 mtu 1450; ip -n $p link set eth0 mtu 1450
done
for i in 0 1 2; do for j in 0 1 2; do
  [[ $i == $j ]] && continue; h=${H[$i]}
  mac=$(ip -n ${H[$j]} -br link show flannel.1 | awk '{print $3}')
  ip -n $h route add ${SUB[$j]}.0/24 via ${SUB[$j]}.0 dev flannel.1 onlink
  ip -n $h neigh add ${SUB[$j]}.0 lladdr $mac dev flannel.1 nud permanent
  ip netns exec $h bridge fdb append $mac dev flannel.1 dst ${HIP[$j]} self permanent
done; done
# flanneld --ip-masq's rules (pkg/trafficmngr/iptables), lease 10.244.X.0/24 of 10.244.0.0/16
flannel_rules() {
  local h=$1 lease=$2 ipt="ip netns exec $1 iptables"
  $ipt -t nat -N FLANNEL-POSTRTG
  $ipt -t nat -A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
  $ipt -t nat -A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
  $ipt -t nat -A FLANNEL-POSTRTG -s $lease -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
  $ipt -t nat -A FLANNEL-POSTRTG -s 10.244.0.0/16 -d $lease -m comment --comment "flanneld masq" -j RETURN
  $ipt -t nat -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d $lease -m comment --comment "flanneld masq" -j RETURN
  $ipt -t nat -A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
  $ipt -t nat -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
  $ipt -N FLANNEL-FWD
  $ipt -A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
  $ipt -A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
  $ipt -A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
}
for i in 0 1 2; do flannel_rules ${H[$i]} ${SUB[$i]}.0/24; done
h2="ip netns exec flh2"; h3="ip netns exec flh3"; p2="ip netns exec flp2"
sec() { echo "# $*"; }
sleep 1
{
sec "flannel rules: iptables -S (host2)"; $h2 iptables -S
sec "iptables -t nat -S (host2)"; $h2 iptables -t nat -S
sec "pod2 ping -c 3 pod3"; $p2 ping -c 3 -i 0.2 10.244.2.2 | sed '$d'
sec "iptables -L -v -n (host2)"; $h2 iptables -L -v -n
sec "iptables -t nat -L -v -n (host2)"; $h2 iptables -t nat -L -v -n
sec "iptables -nvx -L FLANNEL-FWD (host2)"; $h2 iptables -nvx -L FLANNEL-FWD
sec "iptables -t nat -nvx -L (host2)"; $h2 iptables -t nat -nvx -L
sec "iptables -L (host2)"; $h2 iptables -L
sec "iptables -L -v (host2)"; $h2 iptables -L -v
sec "conntrack -L (host2, pod to pod)"; $h2 conntrack -L 2>&1
} > "$out/netfilter-flannel.txt" 2>&1
# masquerade: pod2 pings host3's eth0; host3's eth0 sees host2's address
$h2 conntrack -F 2>/dev/null
$h3 tcpdump -i eth0 -n -w "$out/masq-host3-eth0.pcap" -U icmp >/dev/null 2>&1 & t1=$!
$h2 tcpdump -i cni0 -n -w "$out/masq-host2-cni0.pcap" -U icmp >/dev/null 2>&1 & t2=$!
sleep 1
{
sec "pod2 ping -c 2 172.16.112.130 (host3 eth0)"; $p2 ping -c 2 -i 0.2 172.16.112.130 | sed '$d'
sec "conntrack -L (host2, after masqueraded ping)"; $h2 conntrack -L 2>&1
sec "cat /proc/net/nf_conntrack (host2)"; $h2 cat /proc/net/nf_conntrack
sec "iptables -t nat -L FLANNEL-POSTRTG -v -n (host2)"; $h2 iptables -t nat -L FLANNEL-POSTRTG -v -n
sec "host3: iptables -A INPUT -p icmp -j REJECT; pod2 ping -c 2 172.16.112.130"
$h3 iptables -A INPUT -p icmp -j REJECT
$p2 ping -c 2 -i 0.2 -W 1 172.16.112.130 | sed '$d'
sec "host2 ping -c 1 172.16.112.130 (REJECT on host3)"; $h2 ping -c 1 -W 1 172.16.112.130 | sed '$d'
sec "iptables -L INPUT -v -n (host3)"; $h3 iptables -L INPUT -v -n
sec "iptables -S INPUT (host3)"; $h3 iptables -S INPUT
$h3 iptables -D INPUT -p icmp -j REJECT
} > "$out/netfilter-masq.txt" 2>&1
sleep 1; kill $t1 $t2; wait $t1 $t2 2>/dev/null
for f in masq-host3-eth0 masq-host2-cni0; do tcpdump -n -r "$out/$f.pcap" > "$out/tcpdump-$f.txt" 2>/dev/null; tcpdump -n -v -r "$out/$f.pcap" > "$out/tcpdump-v-$f.txt" 2>/dev/null; done
{
sec "host2: iptables -P FORWARD DROP; iptables -F FORWARD; pod2 ping -c 2 pod3"
$h2 iptables -F FORWARD; $h2 iptables -P FORWARD DROP
$p2 ping -c 2 -i 0.2 -W 1 10.244.2.2 | sed '$d'
sec "iptables -L FORWARD -v -n (host2)"; $h2 iptables -L FORWARD -v -n
sec "iptables -S FORWARD (host2)"; $h2 iptables -S FORWARD
$h2 iptables -P FORWARD ACCEPT; $h2 iptables -A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
sec "host3: iptables -A INPUT -p udp --dport 8472 -j DROP; pod2 ping -c 3 pod3"
$h3 iptables -A INPUT -p udp --dport 8472 -j DROP
$p2 ping -c 3 -i 0.2 -W 1 10.244.2.2 | sed '$d'
sec "iptables -L INPUT -v -n (host3)"; $h3 iptables -L INPUT -v -n
sec "iptables -nvx -L INPUT (host3)"; $h3 iptables -nvx -L INPUT
sec "iptables -S INPUT (host3)"; $h3 iptables -S INPUT
sec "iptables -Z INPUT; iptables -L INPUT -v -n (host3)"; $h3 iptables -Z INPUT; $h3 iptables -L INPUT -v -n
$h3 iptables -D INPUT -p udp --dport 8472 -j DROP
sec "host2: iptables -A OUTPUT -p icmp -j DROP; ping -c 2 172.16.112.130"
$h2 iptables -A OUTPUT -p icmp -j DROP
$h2 ping -c 2 -i 0.2 -W 1 172.16.112.130; echo "exit $?"
sec "iptables -L OUTPUT -v -n (host2)"; $h2 iptables -L OUTPUT -v -n
$h2 iptables -F OUTPUT
sec "host2: iptables -A OUTPUT -p icmp --icmp-type echo-request -j REJECT; ping -c 1 172.16.112.130"
$h2 iptables -A OUTPUT -p icmp --icmp-type echo-request -j REJECT
$h2 ping -c 1 -W 1 172.16.112.130; echo "exit $?"
sec "iptables -S OUTPUT (host2)"; $h2 iptables -S OUTPUT
sec "iptables -L OUTPUT -n (host2)"; $h2 iptables -L OUTPUT -n
$h2 iptables -F OUTPUT
} > "$out/netfilter-drop.txt" 2>&1
{
ipt="$h2 iptables"
sec "matches and targets: -S"
$ipt -N T
$ipt -A T -p udp -m udp --sport 53 -j ACCEPT
$ipt -A T -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
$ipt -A T -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
$ipt -A T -m addrtype --dst-type LOCAL -j RETURN
$ipt -A T ! -i eth0 -o cni0 -p icmp --icmp-type 8 -j LOG --log-prefix "ping: "
$ipt -A T -p icmp --icmp-type port-unreachable -j DROP
$ipt -A T -s 10.0.0.1 ! -p udp -j REJECT --reject-with icmp-host-prohibited
$ipt -A T -j MARK --set-mark 0x4000
$ipt -A T -m mark ! --mark 0x1 -j MARK --set-xmark 0x8000/0xc000
$ipt -A T -p tcp --dport 22 -j REJECT --reject-with tcp-reset
$ipt -A T -i eth+ -j RETURN
$ipt -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.244.1.2:80
$ipt -t nat -A PREROUTING -p udp -d 172.16.112.133 --dport 53 -j DNAT --to-destination 10.244.1.2
$ipt -t nat -A POSTROUTING -s 10.244.1.0/24 -o eth0 -j SNAT --to-source 172.16.112.133
$ipt -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-2047
$ipt -S T
$ipt -t nat -S PREROUTING; $ipt -t nat -S POSTROUTING
sec "matches and targets: -L -n"; $ipt -L T -n
sec "matches and targets: -L -v -n"; $ipt -L T -v -n
sec "matches and targets: -L"; $ipt -L T
sec "nat -L -n"; $ipt -t nat -L PREROUTING -n; $ipt -t nat -L POSTROUTING -n
sec "-L -n --line-numbers"; $ipt -L T -n --line-numbers
sec "errors"
for cmd in "-A INPUT --dport 80 -j DROP" "-A INPUT -p udp --dport 99999 -j DROP" "-A INPUT -p udp --dport http -j DROP" \
  "-A INPUT -p icmp --icmp-type foo -j DROP" "-A INPUT -m conntrack --ctstate FOO -j DROP" \
  "-A INPUT -j REJECT --reject-with foo" "-A INPUT -m addrtype --dst-type FOO" "-A INPUT -m multiport --dports 1 -j DROP" \
  "-A INPUT -p udp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j DROP" "-A INPUT -j MARK" \
  "-A INPUT -j DNAT --to-destination 1.2.3.4" "-t nat -A POSTROUTING -i eth0 -j MASQUERADE" "-t nat -A INPUT -j MASQUERADE" \
  "-A INPUT -j MASQUERADE" "-t nat -A PREROUTING -j DNAT" "-A OUTPUT -p tcp --sport 1:2:3 -j DROP" "-A INPUT -o eth0 -j DROP" \
  "-A INPUT -p udp --dport 1 --dport 2" "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3" "-Z NOPE" "-A INPUT -p icmp --dport 80"; do
  echo "\$ iptables $cmd"; $ipt $cmd; echo "exit $?"
done
} > "$out/netfilter-syntax.txt" 2>&1
echo "netfilter lab done: $(ls "$out" | wc -l) files"
