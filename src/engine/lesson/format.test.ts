import { describe, expect, it } from 'vitest';
import { fillPlaceholders, parseDuration, parseLesson } from './format.ts';
import { parseMarkdown } from './markdown.ts';

const GOOD = `---
title: Demo
lab: nodes=2&backend=host-gw
---

Intro with \`code\`.

\`\`\`setup node2
systemctl stop flanneld
\`\`\`

## First step

Text **bold**.

\`\`\`run node1
ip route
\`\`\`

\`\`\`check node1
ip route | grep -q eth0
# a comment
test -f /run/flannel/subnet.env && \\
  grep -q FLANNEL /run/flannel/subnet.env
\`\`\`

> Hint: one

> **Hint:** two

## Second

\`\`\`advance
1h30m
\`\`\`

\`\`\`frames node2
pod1/eth0 icmp
eth0
\`\`\`
`;

describe('parseLesson', () => {
  it('reads front matter, setup, steps, actions, checks, frames and hints', () => {
    const r = parseLesson('demo', GOOD);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const { lesson } = r;
    expect(lesson.title).toBe('Demo');
    expect(lesson.lab.backend).toBe('host-gw');
    expect(lesson.lab.hosts.map((h) => h.hostname)).toEqual(['node1', 'node2']);
    expect(lesson.setup).toEqual([
      { kind: 'shell', host: 'node2', text: 'systemctl stop flanneld' },
    ]);
    expect(lesson.steps).toHaveLength(2);
    const [one, two] = lesson.steps;
    expect(one.actions).toEqual([{ kind: 'shell', host: 'node1', text: 'ip route' }]);
    expect(one.checks).toEqual([
      { host: 'node1', script: 'ip route | grep -q eth0' },
      {
        host: 'node1',
        script: 'test -f /run/flannel/subnet.env &&    grep -q FLANNEL /run/flannel/subnet.env',
      },
    ]);
    expect(one.hints).toEqual([[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two' }]]);
    expect(two.actions).toEqual([{ kind: 'advance', ms: 5_400_000, text: '1h30m' }]);
    expect(two.frames).toEqual([
      { host: 'node2', netns: 'pod1', ifname: 'eth0', filter: 'icmp' },
      { host: 'node2', ifname: 'eth0', filter: '' },
    ]);
  });

  it.each([
    ['no front matter', '## x\n', 'line 1: a lesson starts with front matter'],
    [
      'no title',
      '---\nlab: nodes=2\n---\n## s\n```check node1\ntrue\n```\n',
      'a lesson needs a title',
    ],
    ['unknown key', '---\ntitle: t\ncolour: red\n---\n', 'unknown front matter key "colour"'],
    ['bad lab', '---\ntitle: t\nlab: backend=gre\n---\n', 'lab: backend=gre: unknown backend type'],
    ['no steps', '---\ntitle: t\n---\ntext\n', 'at least one step'],
    [
      'a step without check',
      '---\ntitle: t\n---\n## s\ntext\n',
      'a step needs a check or frames block',
    ],
    ['host missing', '---\ntitle: t\n---\n## s\n```check\ntrue\n```\n', 'names its host'],
    [
      'no such host',
      '---\ntitle: t\nlab: nodes=2\n---\n## s\n```check node3\ntrue\n```\n',
      'line 6: no host node3',
    ],
    [
      'bad filter',
      '---\ntitle: t\n---\n## s\n```frames node1\neth0 udp port\n```\n',
      'line 6: frames: udp port',
    ],
    [
      'bad interface',
      '---\ntitle: t\n---\n## s\n```frames node1\n/eth0 icmp\n```\n',
      'is not an interface',
    ],
    [
      'bad duration',
      '---\ntitle: t\n---\n## s\n```advance\nsoon\n```\n```check node1\ntrue\n```\n',
      'advance takes a duration',
    ],
    [
      'unclosed fence',
      '---\ntitle: t\n---\n## s\n```check node1\ntrue\n',
      'line 5: code block is never closed',
    ],
    [
      'bad placeholder',
      '---\ntitle: t\n---\n## s\n```check node1\nping {{node1.mac}}\n```\n',
      '{{node1.mac}}: use',
    ],
    [
      'run before any step',
      '---\ntitle: t\n---\n```run node1\nls\n```\n## s\n```check node1\ntrue\n```\n',
      'belongs to no step',
    ],
  ])('rejects %s with a clear message', (_name, text, message) => {
    const r = parseLesson('x', text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(message);
  });

  it('never throws on mutated lessons: it parses or lists errors', async () => {
    const fc = (await import('fast-check')).default;
    const pieces = GOOD.split('\n');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 12 })), {
          maxLength: 40,
        }),
        (lines) => {
          const r = parseLesson('x', lines.join('\n'));
          expect(r.ok || r.errors.length > 0).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws, whatever the text', () => {
    for (const text of [
      '',
      '---',
      '---\n---',
      '```',
      '> Hint:',
      '|a|\n|-|',
      '---\ntitle: t\n---\n## \n```run\n```',
    ]) {
      expect(() => parseLesson('x', text)).not.toThrow();
    }
  });
});

describe('placeholders and durations', () => {
  it('fills {{host.fact}}', () => {
    expect(
      fillPlaceholders('ping {{ node2.pod1 }} via {{node2.eth0}}', (h, n) => `${h}:${n}`),
    ).toBe('ping node2:pod1 via node2:eth0');
  });
  it('reads Go-like durations', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('h')).toBeNull();
  });
});

describe('parseMarkdown', () => {
  it('keeps links safe and text as data', () => {
    const [p] = parseMarkdown('[a](javascript:alert) [b](https://x.org) <b>raw</b>');
    expect(p).toEqual({
      kind: 'paragraph',
      content: [
        { kind: 'text', text: 'a' },
        { kind: 'text', text: ' ' },
        { kind: 'link', href: 'https://x.org', children: [{ kind: 'text', text: 'b' }] },
        { kind: 'text', text: ' <b>raw</b>' },
      ],
    });
  });
  it('reads tables and lists', () => {
    const blocks = parseMarkdown('| a | b |\n| --- | --- |\n| `x` | y |\n\n- one\n- two');
    expect(blocks.map((b) => b.kind)).toEqual(['table', 'list']);
  });
});
