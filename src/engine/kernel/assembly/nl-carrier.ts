// The lab's cable on a host's NIC. Cutting it is a carrier loss (netif_carrier_off): the link
// stays UP but loses LOWER_UP (`NO-CARRIER`, `state DOWN`), its routes stay and show
// `linkdown`, its learned neighbours go (neigh_carrier_down), frames are dropped both ways.

import * as A from './abi';
import { i32a, fail } from './msg';
import { ENOENT, ENODEV, EOPNOTSUPP } from './errno';
import { fibChanged } from './state';
import { nsGet, linkFromReq } from './nl-link';
import { flushNeigh } from './nl-route';

export function carrierSet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  if (l.kind != A.KIND_ETHER) return fail(EOPNOTSUPP);
  const cut = i32a(A.A_UP, 1) == 0;
  if (l.cableCut == cut) return 0;
  l.cableCut = cut;
  fibChanged();
  if (cut) flushNeigh(ns, l, false);
  return 0;
}
