#!/usr/bin/env bash
# Records etcdctl's v2 API (ETCDCTL_API=2, as etcd 3.2/3.3 default to) against a real etcd
# started with --enable-v2: what flannel 0.10's lab (seed 002) types, and the errors.
# usage: etcd-v2.oracle.sh OUT
set -uo pipefail
out=${1:?out}
d=$(mktemp -d)
etcd --enable-v2 --data-dir "$d/data" --name node-1 --listen-client-urls http://127.0.0.1:23791 --advertise-client-urls http://127.0.0.1:23791 \
  --listen-peer-urls http://127.0.0.1:23801 --initial-advertise-peer-urls http://127.0.0.1:23801 \
  --initial-cluster node-1=http://127.0.0.1:23801 >"$d/etcd.log" 2>&1 &
pid=$!; trap 'kill $pid; rm -rf "$d"' EXIT
export ETCDCTL_API=2 ETCDCTL_ENDPOINTS=http://127.0.0.1:23791
for i in $(seq 50); do etcdctl cluster-health >/dev/null 2>&1 && break; sleep 0.2; done
printf '{\n  "Network":"10.100.0.0/16",\n  "SubnetLen":24,\n  "Backend":{\n      "Type":"host-gw" \n  }\n}\n' > "$d/flannel-config.json"
run() { echo "\$ etcdctl $*"; etcdctl "$@" 2>&1; echo "[exit $?]"; }
{
echo "\$ etcdctl set /docker-subnet/network/config < /etc/flannel-config.json"
etcdctl set /docker-subnet/network/config < "$d/flannel-config.json" 2>&1; echo "[exit $?]"
run get /docker-subnet/network/config
run set --ttl 86400 /docker-subnet/network/subnets/10.100.50.0-24 '{"PublicIP":"172.16.112.133","BackendType":"host-gw"}'
run mk --ttl 86400 /docker-subnet/network/subnets/10.100.83.0-24 '{"PublicIP":"172.16.112.130","BackendType":"host-gw"}'
run mk /docker-subnet/network/subnets/10.100.83.0-24 '{"PublicIP":"172.16.112.131"}'
run ls
run ls /docker-subnet
run ls /docker-subnet/network
run ls -r /docker-subnet
run ls --recursive -p /docker-subnet
run ls /docker-subnet/network/subnets
run get /docker-subnet/network/subnets/10.100.50.0-24
run -o extended get /docker-subnet/network/subnets/10.100.50.0-24
run -o json get /docker-subnet/network/config
run get /docker-subnet/network/nope
run get /docker-subnet/network
run ls /nope
run update /docker-subnet/network/nope x
run update /docker-subnet/network/subnets/10.100.83.0-24 '{"PublicIP":"172.16.112.130","BackendType":"host-gw"}'
run update --ttl 60 /docker-subnet/network/subnets/10.100.83.0-24 '{"PublicIP":"172.16.112.130","BackendType":"host-gw"}'
run -o extended get /docker-subnet/network/subnets/10.100.83.0-24
run set /docker-subnet/network x
run rm /docker-subnet/network/nope
run rm /docker-subnet/network/subnets/10.100.83.0-24
run rm /docker-subnet/network
run rm -r /docker-subnet/network/subnets
run mkdir /foo
run mkdir /foo
run rmdir /foo
run set /a/b
run get
run set
run member list
run cluster-health
run bogus
run watch --help
run rm --help
run ls --help
} > "$out" 2>&1
# watch: one change, then exit (watch returns after the first event)
{
echo "\$ etcdctl watch /docker-subnet/network/config"
etcdctl watch /docker-subnet/network/config > "$d/w" 2>&1 & w=$!
sleep 0.5; etcdctl set /docker-subnet/network/config changed >/dev/null; wait $w; echo "[exit $?]" >> "$d/w"; cat "$d/w"
echo "\$ etcdctl watch -r /docker-subnet"
etcdctl watch -r /docker-subnet > "$d/w2" 2>&1 & w=$!
sleep 0.5; etcdctl set /docker-subnet/network/k v >/dev/null; wait $w; echo "[exit $?]" >> "$d/w2"; cat "$d/w2"
run --version
} >> "$out" 2>&1
echo "etcd v2 lab done"
