import { describe, expect, it } from 'vitest';
import { parse } from './parser.ts';

const words = (line: string) =>
  parse(line).map((item) =>
    item.pipeline.map((cmd) =>
      cmd.words.map((w) => w.map((p) => (p.kind === 'text' ? p.text : `\${${p.name}}`)).join('')),
    ),
  );

describe('parse', () => {
  it('splits words, honouring quotes and escapes', () => {
    expect(words(`echo 'a  b' "c  d" e\\ f g"h"'i' # comment`)).toEqual([
      [['echo', 'a  b', 'c  d', 'e f', 'ghi']],
    ]);
    expect(words(`echo "a\\"b\\$c\\d"`)).toEqual([[['echo', 'a"b$c\\d']]]);
    expect(words(`echo '$HOME' "$HOME" $? \${X}y $ ~/x`)).toEqual([
      [['echo', '$HOME', '${HOME}', '${?}', '${X}y', '$', '${HOME}/x']],
    ]);
  });

  it('builds pipelines and lists with their connectors', () => {
    const items = parse('a | b && c || d; e &');
    expect(items.map((i) => [i.connector, i.pipeline.length])).toEqual([
      [';', 2],
      ['&&', 1],
      ['||', 1],
      [';', 1],
    ]);
  });

  it('reads assignments and redirections', () => {
    const [item] = parse('X=1 Y="a b" cmd arg >out 2>&1 < in >> log');
    const cmd = item.pipeline[0];
    expect(cmd.assignments.map((a) => a.name)).toEqual(['X', 'Y']);
    expect(cmd.redirects.map((r) => [r.fd, r.op])).toEqual([
      [1, '>'],
      [2, '>&'],
      [0, '<'],
      [1, '>>'],
    ]);
    expect(parse('a=b=c')[0].pipeline[0].words).toEqual([]);
  });

  it('gives an empty list for blank and comment lines', () => {
    expect(parse('')).toEqual([]);
    expect(parse('   # just a comment')).toEqual([]);
  });

  it.each([
    ['| a', "syntax error near unexpected token `|'"],
    ['a | | b', "syntax error near unexpected token `|'"],
    ['&& a', "syntax error near unexpected token `&&'"],
    ['; a', "syntax error near unexpected token `;'"],
    ['a ;; b', "syntax error near unexpected token `;;'"],
    ['a && ; b', "syntax error near unexpected token `;'"],
    ['echo >', "syntax error near unexpected token `newline'"],
    ['echo > |', "syntax error near unexpected token `|'"],
    ['a |', 'syntax error: unexpected end of file'],
    ['a ||', 'syntax error: unexpected end of file'],
    ["echo 'a", "unexpected EOF while looking for matching `''"],
    ['echo "a', 'unexpected EOF while looking for matching `"\''],
  ])('rejects %j as bash does', (line, message) => {
    expect(() => parse(line)).toThrow(message);
  });
});
