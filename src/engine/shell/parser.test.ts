import { describe, expect, it } from 'vitest';
import { parse } from './parser.ts';
import type { AndOr, Command, SimpleCommand, Word } from './parser.ts';

const show = (w: Word) =>
  w
    .map((p) =>
      p.kind === 'text' ? p.text : p.kind === 'var' ? `\${${p.name}}` : `<${p.kind}:${p.source}>`,
    )
    .join('');

const simple = (cmd: Command) => cmd as SimpleCommand;
const pipelines = (item: AndOr) => [item.first, ...item.rest.map((r) => r.pipeline)];

const words = (line: string) =>
  parse(line).flatMap((item) =>
    pipelines(item).map((p) => p.commands.map((cmd) => simple(cmd).words.map(show))),
  );

describe('parse', () => {
  it('splits words, honouring quotes and escapes', () => {
    expect(words(`echo 'a  b' "c  d" e\\ f g"h"'i' # comment`)).toEqual([
      [['echo', 'a  b', 'c  d', 'e f', 'ghi']],
    ]);
    expect(words(`echo "a\\"b\\$c\\d"`)).toEqual([[['echo', 'a"b$c\\d']]]);
    expect(words(`echo '$HOME' "$HOME" $? \${X}y $ ~/x`)).toEqual([
      [['echo', '$HOME', '${HOME}', '${?}', '${X}y', '$', '~/x']],
    ]);
    expect(words('echo $(a b) "`c`" $((1 + 2))')).toEqual([
      [['echo', '<command:a b>', '<command:c>', '<arith:1 + 2>']],
    ]);
  });

  it('builds pipelines and lists with their connectors', () => {
    const items = parse('a | b && c || d; e &');
    expect(
      items.map((i) => [
        i.first.commands.length,
        ...i.rest.map((r) => `${r.op} ${r.pipeline.commands.length}`),
      ]),
    ).toEqual([[2, '&& 1', '|| 1'], [1]]);
  });

  it('reads assignments and redirections', () => {
    const [item] = parse('X=1 Y="a b" cmd arg >out 2>&1 < in >> log');
    const cmd = simple(item.first.commands[0]);
    expect(cmd.assignments.map((a) => a.name)).toEqual(['X', 'Y']);
    expect(cmd.redirects.map((r) => [r.fd, r.op])).toEqual([
      [1, '>'],
      [2, '>&'],
      [0, '<'],
      [1, '>>'],
    ]);
    expect(simple(parse('a=b=c')[0].first.commands[0]).words).toEqual([]);
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
    ['if true; then echo x; fi fi', "syntax error near unexpected token `fi'"],
    ['case x in x) echo a;; esac esac', "syntax error near unexpected token `esac'"],
    ['for 1 in a; do :; done', "`1': not a valid identifier"],
    ['f() echo', "syntax error near unexpected token `echo'"],
    ['{ echo', 'syntax error: unexpected end of file'],
    ['while true; do', 'syntax error: unexpected end of file'],
    [')', "syntax error near unexpected token `)'"],
    ['done', "syntax error near unexpected token `done'"],
    ['if true; then fi', "syntax error near unexpected token `fi'"],
    ['a ||', 'syntax error: unexpected end of file'],
    ["echo 'a", "unexpected EOF while looking for matching `''"],
    ['echo "a', 'unexpected EOF while looking for matching `"\''],
  ])('rejects %j as bash does', (line, message) => {
    expect(() => parse(line)).toThrow(message);
  });

  it('builds compound commands and functions', () => {
    const types = (src: string) => parse(src).map((i) => i.first.commands[0].type);
    expect(
      types(
        'if a; then b; elif c; then d; else e; fi; for i in 1 2; do x; done; while a; do b; done\n' +
          'until a; do b; done; case $x in a|b) c;; *) d;; esac; { a; }; (b); [[ -n x ]]; f() { a; }',
      ),
    ).toEqual(['if', 'for', 'while', 'until', 'case', 'group', 'subshell', 'cond', 'function']);
    const [loop] = parse('for n in node2 node3; do echo $n; done > out');
    const cmd = loop.first.commands[0];
    expect(cmd.type === 'for' && [cmd.name, cmd.items?.map(show), cmd.redirects.length]).toEqual([
      'n',
      ['node2', 'node3'],
      1,
    ]);
  });

  it('treats reserved words as words outside command position', () => {
    expect(words('echo if then done }')).toEqual([[['echo', 'if', 'then', 'done', '}']]]);
  });
});
