import { describe, expect, it } from 'vitest';
import { parseNetworkConfig, subnetFitsConfig } from './config.ts';
import { formatIp4, formatIp4Net } from './ip4.ts';

function errorOf(text: string): string {
  try {
    parseNetworkConfig(text);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('network config', () => {
  it('applies flannel defaults: /24 subnets, SubnetMin skips .0, udp without Backend', () => {
    const c = parseNetworkConfig('{"Network":"10.244.3.7/16"}');
    expect(formatIp4Net(c.network)).toBe('10.244.0.0/16');
    expect(c.subnetLen).toBe(24);
    expect(formatIp4(c.subnetMin)).toBe('10.244.1.0');
    expect(formatIp4(c.subnetMax)).toBe('10.244.255.0');
    expect(c.backendType).toBe('udp');
  });

  it('matches field names case-insensitively and reads the backend type', () => {
    const c = parseNetworkConfig('{"network":"10.244.0.0/16","backend":{"type":"vxlan","VNI":4}}');
    expect(c.backendType).toBe('vxlan');
    expect(c.backend.VNI).toBe(4);
  });

  it('uses prefix+2 for networks smaller than /22', () => {
    expect(parseNetworkConfig('{"Network":"10.0.0.0/26"}').subnetLen).toBe(28);
  });

  it('rejects bad configs with flannel text', () => {
    expect(errorOf('{}')).toBe('please define a correct Network parameter in the flannel config');
    expect(errorOf('{"Network":"10.244.0.0/16","SubnetLen":31}')).toBe(
      'SubnetLen must be less than /31',
    );
    expect(errorOf('{"Network":"10.244.0.0/16","SubnetLen":17}')).toBe(
      'network must be able to accommodate at least four subnets',
    );
    expect(errorOf('{"Network":"10.244.0.0/29"}')).toBe(
      'network is too small. Minimum useful network prefix is /28',
    );
    expect(errorOf('{"Network":"10.244.0.0/16","SubnetMin":"10.245.0.0"}')).toBe(
      'SubnetMin is not in the range of the Network',
    );
    expect(errorOf('{"Network":"10.244.0.0/16","SubnetMax":"10.1.0.0"}')).toBe(
      'SubnetMax is not in the range of the Network',
    );
    expect(errorOf('{"Network":"10.244.0.0/16","SubnetMin":"10.244.1.5"}')).toBe(
      'SubnetMin is not on a SubnetLen boundary: 10.244.1.5',
    );
    expect(errorOf('{"Network":"10.244.0.0/16","SubnetMax":"10.244.9.9"}')).toBe(
      'SubnetMax is not on a SubnetLen boundary: 10.244.9.9',
    );
    expect(errorOf('{"Network":"10.244.0.300/16"}')).toBe('invalid CIDR address: 10.244.0.300/16');
    expect(errorOf('{"Network":"fc00::/48"}')).toBe('invalid IPv4 CIDR format');
  });

  it('checks a subnet against the range and length', () => {
    const c = parseNetworkConfig('{"Network":"10.244.0.0/16"}');
    expect(subnetFitsConfig(c, { ip: c.subnetMin, prefixLen: 24 })).toBe(true);
    expect(subnetFitsConfig(c, { ip: c.network.ip, prefixLen: 24 })).toBe(false);
    expect(subnetFitsConfig(c, { ip: c.subnetMin, prefixLen: 25 })).toBe(false);
  });
});
