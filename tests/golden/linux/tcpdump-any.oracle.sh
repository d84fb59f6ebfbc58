#!/bin/sh
# Records any-eth0.pcap and the live `tcpdump -i any` text (tcpdump 4.99.3, Debian 12).
# Two namespaces joined by a veth pair; eth0 is ifindex 2 in tdy.
set -e
ip netns add tdy; ip netns add tdz
ip -n tdy link set lo up
ip -n tdy link add eth0 type veth peer name eth0 netns tdz
ip -n tdy addr add 10.9.1.1/24 dev eth0; ip -n tdz addr add 10.9.1.2/24 dev eth0
ip -n tdy link set eth0 up; ip -n tdz link set eth0 up; ip -n tdz link set lo up
sleep 2
ip netns exec tdy sh -c '
  (timeout 4 tcpdump -n -i any -c 6 icmp or arp > tcpdump-any-eth0.txt 2>/dev/null &)
  (timeout 4 tcpdump -n -e -vv -i any -c 6 icmp or arp > tcpdump-any-vv-eth0.txt 2>/dev/null &)
  (timeout 4 tcpdump -i any -c 6 -w any-eth0.pcap icmp or arp 2>/dev/null &)
  sleep 0.7; ping -c 2 -i 0.2 10.9.1.2 >/dev/null; sleep 3.5'
ip netns del tdy; ip netns del tdz
