import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultLab, formatLabParams, parseLabParams, underlayAddresses } from './params.ts';

describe('parseLabParams', () => {
  it('gives the seeds lab with no parameters', () => {
    const { config, errors } = parseLabParams('');
    expect(errors).toEqual([]);
    expect(config).toEqual(defaultLab());
    expect(config.hosts.map((h) => `${h.hostname} ${h.eth0}`)).toEqual([
      'node1 172.16.112.128/24',
      'node2 172.16.112.133/24',
      'node3 172.16.112.130/24',
    ]);
    expect(config.backend).toBe('vxlan');
    expect(config.network).toBe('10.244.0.0/16');
    expect(config.subnetLen).toBe(24);
    expect(config.podsPerHost).toBe(1);
  });

  it('accepts every valid parameter', () => {
    const { config, errors } = parseLabParams(
      '?nodes=5&backend=host-gw&network=10.100.0.0/16&subnetLen=26&lab=demo-1&theme=dark&readonly=1',
    );
    expect(errors).toEqual([]);
    expect(config.hosts.map((h) => h.hostname)).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
    ]);
    expect(config.hosts[3].eth0).toBe('172.16.112.131/24');
    expect(config.hosts[4].eth0).toBe('172.16.112.132/24');
    expect(config).toMatchObject({
      backend: 'host-gw',
      network: '10.100.0.0/16',
      subnetLen: 26,
      labId: 'demo-1',
      theme: 'dark',
      readonly: true,
    });
  });

  it('masks host bits and derives SubnetLen as flannel does', () => {
    expect(parseLabParams('?network=10.244.3.7/16').config.network).toBe('10.244.0.0/16');
    expect(parseLabParams('?network=10.5.0.0/24').config.subnetLen).toBe(26);
    expect(parseLabParams('?network=10.5.0.0/22').config.subnetLen).toBe(24);
  });

  it('reports each bad value and falls back to its default', () => {
    const { config, errors } = parseLabParams(
      '?nodes=abc&backend=ipip&network=10.0.0/8&subnetLen=31&lab=Bad_Id&theme=pink&readonly=maybe',
    );
    expect(config).toEqual(defaultLab());
    expect(errors).toEqual([
      'nodes=abc: expected a whole number of hosts from 1 to 100',
      'backend=ipip: unknown backend type (use vxlan, host-gw or udp)',
      'network=10.0.0/8: invalid CIDR address: 10.0.0/8',
      'subnetLen=31: SubnetLen must be less than /31',
      "lab=Bad_Id: a lab id is 1 to 32 characters from a-z, 0-9 and '-'",
      'theme=pink: expected auto, light or dark',
      'readonly=maybe: expected true or false',
    ]);
  });

  it('shortens a long value it echoes: a 5,000-character lab id', () => {
    const id = 'a'.repeat(5000);
    const { errors } = parseLabParams(`?lab=${id}&theme=${'x'.repeat(65)}&etcd=${'h'.repeat(300)}`);
    expect(errors).toEqual([
      `lab=${'a'.repeat(64)}… (5000 characters): a lab id is 1 to 32 characters from a-z, 0-9 and '-'`,
      `theme=${'x'.repeat(64)}… (65 characters): expected auto, light or dark`,
      `etcd=${'h'.repeat(64)}… (300 characters): "${'h'.repeat(64)}… (300 characters)" is not a ` +
        'client URL (expected http://host:port, several separated by commas)',
    ]);
    expect(parseLabParams(`?theme=${'x'.repeat(64)}`).errors[0]).toBe(
      `theme=${'x'.repeat(64)}: expected auto, light or dark`,
    );
  });

  it('says why past 100 nodes, and at 0', () => {
    const big = parseLabParams('?nodes=500');
    expect(big.config.hosts.length).toBe(3);
    expect(big.errors[0]).toMatch(/^nodes=500: at most 100 hosts per tab/);
    expect(parseLabParams('?nodes=0').errors[0]).toMatch(/^nodes=0: expected a whole number/);
    expect(parseLabParams('?nodes=100').config.hosts.length).toBe(100);
  });

  it('rejects networks flannel rejects, and one that hides the underlay', () => {
    expect(parseLabParams('?network=10.0.0.0/29').errors).toEqual([
      'network=10.0.0.0/29: network is too small. Minimum useful network prefix is /28',
    ]);
    expect(parseLabParams('?network=10.0.0.0/24&subnetLen=25').errors).toEqual([
      'subnetLen=25: network must be able to accommodate at least four subnets',
    ]);
    expect(parseLabParams('?network=172.16.0.0/12').errors[0]).toMatch(/overlaps the hosts/);
  });

  it('notes when the hosts outnumber the subnets (a flannel failure worth seeing)', () => {
    const { errors, notes } = parseLabParams('?nodes=8&network=10.5.0.0/26');
    expect(errors).toEqual([]);
    expect(notes[0]).toMatch(/leaves 3 leases/);
  });

  it('takes a real etcd cluster from etcd=, as etcdctl --endpoints does', () => {
    expect(parseLabParams('').config.etcd).toEqual([]);
    const three = parseLabParams(
      '?etcd=http://10.0.0.5:2379/,http://10.0.0.6:2379, https://etcd.example:2379',
    );
    expect(three.errors).toEqual([]);
    expect(three.config.etcd).toEqual([
      'http://10.0.0.5:2379',
      'http://10.0.0.6:2379',
      'https://etcd.example:2379',
    ]);
    expect(formatLabParams(three.config)).toBe(
      '?nodes=3&backend=vxlan&etcd=http%3A%2F%2F10.0.0.5%3A2379%2Chttp%3A%2F%2F10.0.0.6%3A2379%2Chttps%3A%2F%2Fetcd.example%3A2379',
    );
    const bad = parseLabParams('?etcd=10.0.0.5:2379');
    expect(bad.config.etcd).toEqual([]);
    expect(bad.errors).toEqual([
      'etcd=10.0.0.5:2379: "10.0.0.5:2379" is not a client URL (expected http://host:port, several separated by commas)',
    ]);
    expect(parseLabParams('?etcd=http://a:2379,').errors[0]).toMatch(
      /^etcd=http:\/\/a:2379,: an empty client URL/,
    );
    expect(parseLabParams('?etcd=http://a:2379/v3/kv').errors).toHaveLength(1);
  });

  it('round-trips through formatLabParams', () => {
    const query = '?nodes=7&backend=udp&network=10.9.0.0/20&subnetLen=25&lab=x&theme=light';
    const { config } = parseLabParams(query);
    expect(parseLabParams(formatLabParams(config)).config).toEqual(config);
    expect(formatLabParams(defaultLab())).toBe('?nodes=3&backend=vxlan');
  });

  it('never throws and always gives a usable lab, whatever the query', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
        const q = new URLSearchParams({ nodes: a, network: b, subnetLen: c, backend: a, lab: b });
        const { config } = parseLabParams(q);
        expect(config.hosts.length).toBeGreaterThanOrEqual(1);
        expect(config.hosts.length).toBeLessThanOrEqual(100);
        expect(config.subnetLen).toBeLessThan(31);
      }),
    );
  });
});

describe('underlayAddresses', () => {
  it('never repeats an address, up to 100 hosts', () => {
    const addrs = underlayAddresses(100);
    expect(new Set(addrs).size).toBe(100);
    expect(addrs.slice(0, 6)).toEqual([
      '172.16.112.128/24',
      '172.16.112.133/24',
      '172.16.112.130/24',
      '172.16.112.131/24',
      '172.16.112.132/24',
      '172.16.112.134/24',
    ]);
    expect(addrs.every((a) => Number(a.split('.')[3].split('/')[0]) < 255)).toBe(true);
  });
});
