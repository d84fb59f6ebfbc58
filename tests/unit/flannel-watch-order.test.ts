// Issue 9 §5: flanneld handles the lease watch's responses in the order etcd sent them, as
// flannel's single watch goroutine does; a DELETE must not overtake an earlier PUT that is still
// asking etcd for its lease's TTL, or the deleted peer comes back.
import { expect, it } from 'vitest';
import { sh, threeNodeLab } from './flannel-lab.ts';

const KEY = '/coreos.com/network/subnets/10.244.200.0-24';
const VALUE = JSON.stringify({
  PublicIP: '172.16.112.99',
  PublicIPv6: null,
  BackendType: 'vxlan',
  BackendData: { VNI: 1, VtepMAC: '02:aa:bb:cc:dd:ee' },
});

it('a peer put and deleted at once is gone from every host', async () => {
  const fl = await threeNodeLab('vxlan');
  const grant = await fl.kv.leaseGrant(86_400);
  // Both requests leave before either answer: the watch sees the PUT, then the DELETE.
  const put = fl.kv.put({ key: KEY, value: VALUE, lease: grant.id });
  const del = fl.kv.deleteRange({ key: KEY });
  await Promise.all([put, del]);
  // A peer that stays, put the same way: the watch is live and programs what it is told.
  await fl.kv.put({
    key: KEY.replace('200', '201'),
    value: VALUE.replace('ee', 'ef'),
    lease: grant.id,
  });
  await fl.lab.advance(1000);
  for (const h of fl.hosts) {
    expect(await sh(fl, h.hostname, 'ip route')).toContain(
      '10.244.201.0/24 via 10.244.201.0 dev flannel.1 onlink',
    );
    expect(await sh(fl, h.hostname, 'ip route')).not.toContain('10.244.200.0');
    expect(await sh(fl, h.hostname, 'ip neigh')).not.toContain('10.244.200.0');
    expect(await sh(fl, h.hostname, 'bridge fdb')).not.toContain('02:aa:bb:cc:dd:ee');
  }
  // Added, then Removed, in etcd's order: the Removed finds the peer it removes.
  for (const h of fl.hosts)
    expect(await sh(fl, h.hostname, 'journalctl -u flanneld --no-pager')).not.toContain(
      'Removed subnet (10.244.200.0/24)',
    );
});
