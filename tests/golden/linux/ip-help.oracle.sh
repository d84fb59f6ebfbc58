#!/usr/bin/env bash
# The help texts of the objects the playground models (stderr, exit 255).
set -uo pipefail
n=flhelp
ip netns del $n 2>/dev/null; ip netns add $n; trap 'ip netns del $n' EXIT
x() { echo "\$ $*"; ip netns exec $n "$@" 2>&1; echo "[exit $?]"; }
{
x ip address help
x ip route help
x ip neigh help
x ip netns help
x bridge fdb help
x bridge link help
} > /tmp/oracle/ip-help.txt 2>&1
