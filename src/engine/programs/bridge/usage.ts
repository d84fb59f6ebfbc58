// Usage texts, exactly as iproute2 6.1 prints them (to stderr, exit status 255).
// Recorded in tests/golden/linux/ip-more.txt and ip-help.txt.

/** `bridge help`, `bridge` alone. */
export const BRIDGE_USAGE =
  'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n       bridge [ -force ] -batch filename\nwhere  OBJECT := { link | fdb | mdb | vlan | monitor }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n                    -o[neline] | -t[imestamp] | -n[etns] name |\n                    -c[ompressvlans] -color -p[retty] -j[son] }\n';

/** `bridge fdb help`. */
export const FDB_USAGE =
  'Usage: bridge fdb { add | append | del | replace } ADDR dev DEV\n              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]\n              [ sticky ] [ local | static | dynamic ] [ vlan VID ]\n              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }\n\t       [ via DEV ] [ src_vni VNI ]\n       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]\n              [ state STATE ] [ dynamic ] ]\n       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV\n              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]\n       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]\n              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]\n              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]\n              [ [no]offloaded ]\n';

/** `bridge link help`. */
export const BRIDGE_LINK_USAGE =
  'Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]\n                               [ guard {on | off} ]\n                               [ hairpin {on | off} ]\n                               [ fastleave {on | off} ]\n                               [ root_block {on | off} ]\n                               [ learning {on | off} ]\n                               [ learning_sync {on | off} ]\n                               [ flood {on | off} ]\n                               [ mcast_router MULTICAST_ROUTER ]\n                               [ mcast_flood {on | off} ]\n                               [ bcast_flood {on | off} ]\n                               [ mcast_to_unicast {on | off} ]\n                               [ neigh_suppress {on | off} ]\n                               [ vlan_tunnel {on | off} ]\n                               [ isolated {on | off} ]\n                               [ locked {on | off} ]\n                               [ hwmode {vepa | veb} ]\n                               [ backup_port DEVICE ] [ nobackup_port ]\n                               [ self ] [ master ]\n       bridge link show [dev DEV]\n';
