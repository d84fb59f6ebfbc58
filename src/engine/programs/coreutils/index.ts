// The small programs, by name, with the line `help` prints for each.

import type { Program } from '../types.ts';
import { cat } from './cat.ts';
import { cut } from './cut.ts';
import { echo } from './echo.ts';
import { grep } from './grep.ts';
import { head, tail } from './head-tail.ts';
import { ls } from './ls.ts';
import { falseProgram, hostname, sleep, trueProgram, uname } from './misc.ts';
import { seq } from './seq.ts';
import { sysctl } from './sysctl.ts';
import { wc } from './wc.ts';
import { yes } from './yes.ts';

export const COREUTILS: Record<string, { run: Program; summary: string }> = {
  cat: { run: cat, summary: 'concatenate files and print on the standard output' },
  cut: { run: cut, summary: 'remove sections from each line of files' },
  echo: { run: echo, summary: 'display a line of text' },
  false: { run: falseProgram, summary: 'do nothing, unsuccessfully' },
  grep: { run: grep, summary: 'print lines that match patterns' },
  head: { run: head, summary: 'output the first part of files' },
  hostname: { run: hostname, summary: "show the system's host name" },
  ls: { run: ls, summary: 'list directory contents' },
  seq: { run: seq, summary: 'print a sequence of numbers' },
  sleep: { run: sleep, summary: 'delay for a specified amount of time' },
  sysctl: { run: sysctl, summary: 'read and write kernel parameters' },
  tail: { run: tail, summary: 'output the last part of files' },
  true: { run: trueProgram, summary: 'do nothing, successfully' },
  uname: { run: uname, summary: 'print system information' },
  wc: { run: wc, summary: 'print newline, word, and byte counts for each file' },
  yes: { run: yes, summary: 'output a string repeatedly until killed' },
};
