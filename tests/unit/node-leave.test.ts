// A node that leaves the lab: its lease is revoked and the other nodes' flanneld, on the
// DELETE, remove what they had programmed for it (spec: EventRemoved), per backend.
import { describe, expect, it } from 'vitest';
import { revokeNodeLeases, type Backend } from '../../src/engine/lab/node-setup.ts';
import { hostIp, leaseNet, settleFor, sh, threeNodeLab } from './flannel-lab.ts';

describe('a node leaves', () => {
  for (const backend of ['vxlan', 'host-gw'] as Backend[]) {
    it(`${backend}: its lease is revoked and the others drop their routes to it`, async () => {
      const fl = await threeNodeLab(backend);
      const gone = leaseNet(fl.hosts[2]);
      expect(await sh(fl, 'node1', 'ip route')).toContain(`${gone}/24 via`);
      const removed = await revokeNodeLeases(fl.kv, `${hostIp(3)}/24`);
      expect(removed).toEqual([`/coreos.com/network/subnets/${gone}-24`]);
      await settleFor(fl, 100);
      const leases = await sh(fl, 'node1', 'etcdctl get --prefix /coreos.com/network/subnets');
      expect(leases).not.toContain(gone);
      expect(leases).toContain(leaseNet(fl.hosts[1]));
      for (const h of ['node1', 'node2']) {
        expect(await sh(fl, h, 'ip route')).not.toContain(gone);
        if (backend === 'vxlan') {
          expect(await sh(fl, h, 'ip neigh show dev flannel.1')).not.toContain(gone);
          expect(await sh(fl, h, 'bridge fdb show dev flannel.1')).not.toContain(hostIp(3));
        }
      }
      // Nothing is left to revoke.
      expect(await revokeNodeLeases(fl.kv, `${hostIp(3)}/24`)).toEqual([]);
    });
  }
});
