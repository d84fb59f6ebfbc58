import { describe, expect, it } from 'vitest';
import { LineEditor, columns, commonPrefix } from './line-editor.ts';

const PROMPT = 'root@node2:~# ';

function editor(history: string[] = [], cols = 80) {
  let out = '';
  const ed = new LineEditor(
    PROMPT,
    (t) => (out += t),
    () => cols,
    history,
  );
  ed.showPrompt();
  return {
    ed,
    type: (data: string) => ed.input(data),
    out: () => out,
    reset: () => (out = ''),
  };
}

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const UP = '\x1b[A';
const DOWN = '\x1b[B';

describe('LineEditor', () => {
  it('submits the typed line (the shell, not the editor, records it)', () => {
    const t = editor();
    expect(t.out()).toBe(PROMPT);
    const { events } = t.type('hostname\r');
    expect(events).toEqual([{ type: 'submit', line: 'hostname' }]);
    t.type(UP);
    expect(t.ed.text).toBe('');
  });

  it('edits in the middle: left/right, home/end, backspace, delete', () => {
    const t = editor();
    t.type('ip rute');
    t.type(LEFT + LEFT + LEFT + 'o');
    expect(t.ed.text).toBe('ip route');
    t.type('\x01'); // Ctrl-A
    expect(t.ed.cursorIndex).toBe(0);
    t.type('\x1b[3~'); // Delete
    expect(t.ed.text).toBe('p route');
    t.type('i' + '\x05' + '\x7f'); // insert, End, Backspace
    expect(t.ed.text).toBe('ip rout');
    t.type('\x1b[H' + RIGHT + RIGHT + '\x1b[F');
    expect(t.ed.cursorIndex).toBe(7);
  });

  it('kills with Ctrl-U, Ctrl-K and Ctrl-W', () => {
    const t = editor();
    t.type('ip route show  ');
    t.type('\x17');
    expect(t.ed.text).toBe('ip route ');
    t.type(LEFT + LEFT + LEFT + '\x0b');
    expect(t.ed.text).toBe('ip rou');
    t.type(LEFT + '\x15');
    expect(t.ed.text).toBe('u');
    expect(t.ed.cursorIndex).toBe(0);
  });

  it('walks history with the arrows and keeps the draft', () => {
    const t = editor(['ip addr', 'ip route']);
    t.type('dra');
    t.type(UP);
    expect(t.ed.text).toBe('ip route');
    t.type(UP + UP);
    expect(t.ed.text).toBe('ip addr');
    t.type(DOWN + DOWN);
    expect(t.ed.text).toBe('dra');
  });

  it("walks the shell's history as handed over after a line", () => {
    const t = editor(['ls']);
    t.type('ip r\r');
    t.ed.setHistory(['ls', 'ip r']);
    t.ed.showPrompt();
    t.type(UP);
    expect(t.ed.text).toBe('ip r');
    t.type(UP);
    expect(t.ed.text).toBe('ls');
  });

  it('Ctrl-C prints ^C, drops the line and asks to interrupt', () => {
    const t = editor();
    t.type('ping 10.244.2.2');
    t.reset();
    const { events } = t.type('\x03');
    expect(events).toEqual([{ type: 'interrupt' }]);
    expect(t.out()).toBe('^C\r\n');
    expect(t.ed.text).toBe('');
  });

  it('stops at Enter in a paste and hands back the rest', () => {
    const t = editor();
    const r = t.type('hostname\r\necho hi\r');
    expect(r.events).toEqual([{ type: 'submit', line: 'hostname' }]);
    expect(r.rest).toBe('echo hi\r');
  });

  it('completes a unique word, a common prefix, and lists on the second Tab', () => {
    const t = editor();
    t.type('ho');
    const { events } = t.type('\t');
    expect(events).toEqual([{ type: 'complete', line: 'ho', cursor: 2, repeated: false }]);
    t.ed.applyCompletion({ start: 0, candidates: ['hostname'] }, false);
    expect(t.ed.text).toBe('hostname ');

    const u = editor();
    u.type('ip a');
    u.ed.applyCompletion({ start: 3, candidates: ['addr', 'addrlabel'] }, false);
    expect(u.ed.text).toBe('ip addr');
    u.type('\x17r');
    // No progress: first Tab rings, second lists.
    u.ed.applyCompletion({ start: 3, candidates: ['route', 'rule'] }, false);
    expect(u.out().endsWith('\x07')).toBe(true);
    expect(u.type('\t').events[0]).toMatchObject({ repeated: true });
    u.reset();
    u.ed.applyCompletion({ start: 3, candidates: ['route', 'rule'] }, true);
    expect(u.out()).toContain('route  rule\r\n' + PROMPT + 'ip r');
  });

  it('redraws a wrapped line by moving up to where it starts', () => {
    const t = editor([], 20);
    t.type('x'.repeat(20)); // prompt (14) + 20 = 34: the line spans two rows
    t.reset();
    t.type('\x01');
    // From offset 34 (row 1, col 14) to offset 14 (row 0, col 14): one row up.
    expect(t.out()).toContain('\x1b[1A');
    expect(t.ed.cursorIndex).toBe(0);
  });

  it('ignores unknown escape sequences and control keys', () => {
    const t = editor();
    t.type('a\x1b[15~\x1bOP\x07b');
    expect(t.ed.text).toBe('ab');
  });
});

describe('helpers', () => {
  it('commonPrefix', () => {
    expect(commonPrefix(['route', 'rule'])).toBe('r');
    expect(commonPrefix(['addr'])).toBe('addr');
    expect(commonPrefix([])).toBe('');
  });

  it('columns sorts down the columns', () => {
    expect(columns(['d', 'a', 'c', 'b'], 6)).toBe('a  c\r\nb  d\r\n');
  });
});
