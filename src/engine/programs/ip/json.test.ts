import { describe, expect, it } from 'vitest';
import { JsonNumber, formatJson } from './json.ts';

describe('formatJson', () => {
  const value = [
    { ifindex: 4, flags: ['UP', 'LOWER_UP'], addr_info: [{ local: '10.244.1.0', ok: true }] },
  ];

  it('prints compact JSON for -j', () => {
    expect(formatJson(value, false)).toBe(
      '[{"ifindex":4,"flags":["UP","LOWER_UP"],"addr_info":[{"local":"10.244.1.0","ok":true}]}]',
    );
  });

  it('prints json_writer pretty JSON for -j -p', () => {
    expect(formatJson(value, true)).toBe(
      [
        '[ {',
        '        "ifindex": 4,',
        '        "flags": [ "UP","LOWER_UP" ],',
        '        "addr_info": [ {',
        '                "local": "10.244.1.0",',
        '                "ok": true',
        '            } ]',
        '    } ]',
      ].join('\n'),
    );
  });

  it('prints empty arrays as iproute2 does, and fixed-format numbers as given', () => {
    expect(formatJson([], true)).toBe('[ ]');
    expect(formatJson({ flags: [] }, false)).toBe('{"flags":[]}');
    expect(formatJson({ hold_timer: new JsonNumber('0.00') }, false)).toBe('{"hold_timer":0.00}');
  });
});
