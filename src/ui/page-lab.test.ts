import { describe, expect, it } from 'vitest';
import { parseLabParams } from '../engine/lab/params.ts';
import { newLabId, resolvePageLab } from './page-lab.ts';
import { encodeShareHash } from './share-link.ts';

describe('the page lab', () => {
  it('a bare visit shows the landing with the default lab and a fresh id', async () => {
    const p = await resolvePageLab('', '');
    expect(p.landing).toBe(true);
    expect(p.config.hosts).toHaveLength(3);
    expect(p.config.labId).toMatch(/^[a-z0-9-]{1,32}$/);
    expect(p.canonicalSearch).toBe(`?nodes=3&backend=vxlan&lab=${p.config.labId}`);
    expect(p.notices).toEqual([]);
  });

  it('any lab parameter (or start) skips the landing', async () => {
    expect((await resolvePageLab('?start=1', '')).landing).toBe(false);
    const p = await resolvePageLab('?lab=abc&backend=udp', '');
    expect(p.landing).toBe(false);
    expect(p.config.labId).toBe('abc');
    expect(p.canonicalSearch).toBe('?nodes=3&backend=udp&lab=abc');
  });

  it('a share link sets the shape, keeps the theme, gets a fresh lab id', async () => {
    const hash = await encodeShareHash(parseLabParams('?nodes=2&backend=host-gw&lab=old').config);
    const p = await resolvePageLab('?theme=dark', hash);
    expect(p.landing).toBe(false);
    expect(p.config.backend).toBe('host-gw');
    expect(p.config.hosts).toHaveLength(2);
    expect(p.config.theme).toBe('dark');
    expect(p.config.labId).not.toBe('old');
    expect(p.canonicalSearch).toContain('nodes=2');
    expect(p.notices).toEqual([]);
  });

  it('a damaged share link gives the default lab and says why', async () => {
    const p = await resolvePageLab('?nodes=7', '#config=AAAA');
    expect(p.landing).toBe(false);
    expect(p.config.hosts).toHaveLength(3);
    expect(p.config.backend).toBe('vxlan');
    expect(p.noticeTitle).toBe('The share link could not be opened.');
    expect(p.notices[0]).toMatch(/^This share link is damaged or was altered/);
  });

  it('bad parameters are reported', async () => {
    const p = await resolvePageLab('?backend=ipip', '');
    expect(p.notices[0]).toContain('backend=ipip: unknown backend type');
    expect(p.noticeTitle).toMatch(/not valid/);
  });
});

describe('newLabId', () => {
  it('works where crypto.randomUUID does not (plain http on a LAN is no secure context)', () => {
    const randomUUID = crypto.randomUUID;
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      expect(newLabId()).toMatch(/^[0-9a-f]{8}$/);
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: randomUUID, configurable: true });
    }
  });
});
