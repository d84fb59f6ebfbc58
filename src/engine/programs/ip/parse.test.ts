import { describe, expect, it } from 'vitest';
import { ExitError } from './errors.ts';
import {
  broadcastOf,
  matches,
  networkOf,
  parseIpv4,
  parseLladdr,
  parsePrefix,
  parseUnsigned,
} from './parse.ts';

describe('matches (iproute2 abbreviations)', () => {
  it('accepts any prefix of the keyword, the empty string included', () => {
    expect(matches('a', 'address')).toBe(true);
    expect(matches('rou', 'route')).toBe(true);
    expect(matches('', 'route')).toBe(true);
    expect(matches('routes', 'route')).toBe(false);
    expect(matches('rx', 'route')).toBe(false);
  });
});

describe('addresses and prefixes', () => {
  it('reads addresses as iproute2 6.1 does (`ip route get X` on Linux)', () => {
    expect(parseIpv4('10.244.1.1')).toBe('10.244.1.1');
    expect(parseIpv4('010.1.1.1')).toBe('8.1.1.1');
    expect(parseIpv4('0x7f.0.0.1')).toBe('127.0.0.1');
    expect(parseIpv4('10.0.0')).toBe('10.0.0.0');
    expect(parseIpv4('10.0.0.300')).toBeNull();
    expect(parseIpv4('a.b.c.d')).toBeNull();
  });

  it('reads prefixes, /32 when no length is given, and default', () => {
    expect(parsePrefix('10.244.0.0/16')).toEqual({ addr: '10.244.0.0', len: 16, hasLen: true });
    expect(parsePrefix('10.244.1.9')).toEqual({ addr: '10.244.1.9', len: 32, hasLen: false });
    expect(parsePrefix('default')).toEqual({ addr: '0.0.0.0', len: 0, hasLen: true });
  });

  it('rejects bad prefixes with the text iproute2 prints, exit 1', () => {
    for (const bad of ['bogus', '10.0.0.300/24', '10.0.0.1/33', '10.0.0.1/']) {
      let caught: unknown;
      try {
        parsePrefix(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ExitError);
      expect((caught as ExitError).stderr).toBe(
        `Error: any valid prefix is expected rather than "${bad}".\n`,
      );
      expect((caught as ExitError).code).toBe(1);
    }
  });

  it('computes networks and broadcasts', () => {
    expect(networkOf('10.244.1.7', 24)).toBe('10.244.1.0');
    expect(networkOf('10.244.1.7', 0)).toBe('0.0.0.0');
    expect(broadcastOf('10.244.1.9', 24)).toBe('10.244.1.255');
    expect(broadcastOf('172.16.112.133', 20)).toBe('172.16.127.255');
  });
});

describe('parseLladdr', () => {
  it('normalises hex bytes', () => {
    expect(parseLladdr('E2:CA:3E:D2:9D:A7')).toBe('e2:ca:3e:d2:9d:a7');
    expect(parseLladdr('2:0:0:0:0:7')).toBe('02:00:00:00:00:07');
  });

  it('names the byte that failed, as ll_addr_a2n does', () => {
    expect(() => parseLladdr('zz:zz')).toThrow('"zz" is invalid lladdr.');
    expect(() => parseLladdr('02:100')).toThrow('"100" is not a valid lladdr.');
  });
});

describe('parseUnsigned', () => {
  it('reads decimal and hex', () => {
    expect(parseUnsigned('1450')).toBe(1450);
    expect(parseUnsigned('0x10')).toBe(16);
    expect(parseUnsigned('abc')).toBeNull();
    expect(parseUnsigned('-1')).toBeNull();
  });
});
