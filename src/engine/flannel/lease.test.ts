import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatLeaseAttrs, makeSubnetKey, parseLeaseAttrs, parseSubnetKey } from './lease.ts';
import { formatIp4Net, parseIp4Net } from './ip4.ts';
import { formatSubnetEnv, parseEnvFile } from './subnet-env.ts';

describe('subnet keys and lease values', () => {
  it('formats and parses keys like MakeSubnetKey', () => {
    expect(makeSubnetKey(parseIp4Net('10.244.1.0/24')!)).toBe('10.244.1.0-24');
    expect(formatIp4Net(parseSubnetKey('/coreos.com/network/subnets/10.244.37.0-24')!)).toBe(
      '10.244.37.0/24',
    );
    expect(formatIp4Net(parseSubnetKey('10.244.1.0-24&fc00::-64')!)).toBe('10.244.1.0/24');
    expect(parseSubnetKey('/coreos.com/network/subnets/garbage')).toBeUndefined();
  });

  it('writes LeaseAttrs JSON in flannel field order, PublicIPv6 null, no BackendType for udp', () => {
    expect(
      formatLeaseAttrs({
        publicIP: '192.168.64.3',
        backendType: 'vxlan',
        backendData: { VNI: 1, VtepMAC: 'c6:d2:32:6f:8f:44' },
      }),
    ).toBe(
      '{"PublicIP":"192.168.64.3","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"c6:d2:32:6f:8f:44"}}',
    );
    expect(formatLeaseAttrs({ publicIP: '10.0.0.1' })).toBe(
      '{"PublicIP":"10.0.0.1","PublicIPv6":null}',
    );
    expect(parseLeaseAttrs('{"PublicIP":"10.0.0.1","BackendType":"host-gw"}')).toEqual({
      publicIP: '10.0.0.1',
      backendType: 'host-gw',
    });
    expect(parseLeaseAttrs('not json')).toBeUndefined();
  });

  it('agrees with the etcdctl golden value', () => {
    const golden = readFileSync(
      new URL('../../../tests/golden/etcd/etcdctl.txt', import.meta.url),
      'utf8',
    );
    const m = /\{"PublicIP":"[^"]*","PublicIPv6"[^\n]*\}/.exec(golden);
    expect(m).not.toBeNull();
    if (!m) return;
    const attrs = parseLeaseAttrs(m[0])!;
    expect(formatLeaseAttrs(attrs)).toBe(m[0]);
  });

  it('writes subnet.env lines in flannel order with FLANNEL_SUBNET = lease + 1', () => {
    const text = formatSubnetEnv({
      network: parseIp4Net('10.244.0.0/16')!,
      subnet: parseIp4Net('10.244.1.0/24')!,
      mtu: 1450,
      ipMasq: true,
    });
    expect(text).toBe(
      'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n',
    );
    expect(parseEnvFile(text).get('FLANNEL_MTU')).toBe('1450');
  });
});
