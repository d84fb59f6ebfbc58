// journalctl [-u UNIT] [-n N] [-f] [--no-pager]: the journal in short format.

import { ServiceManager, formatJournalEntry } from '../../os/services.ts';
import type { JournalEntry } from '../../os/services.ts';
import type { Program } from '../types.ts';

export const journalctl: Program = async (argv, io, host) => {
  const units: string[] = [];
  let lines: number | undefined;
  let follow = false;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (opt: string): string | undefined => {
      if (a.startsWith(`${opt}=`)) return a.slice(opt.length + 1);
      if (a.length > opt.length && opt.length === 2 && a.startsWith(opt)) return a.slice(2);
      return args[++i];
    };
    if (a === '-u' || a.startsWith('-u') || a === '--unit' || a.startsWith('--unit=')) {
      const v = value(a.startsWith('--') ? '--unit' : '-u');
      if (v === undefined) {
        io.stderr("journalctl: option requires an argument -- 'u'\n");
        return 1;
      }
      units.push(ServiceManager.unitName(v));
    } else if (a === '-n' || a.startsWith('-n') || a === '--lines' || a.startsWith('--lines=')) {
      const v = value(a.startsWith('--') ? '--lines' : '-n');
      if (v === undefined || !/^\+?\d+$/.test(v)) {
        io.stderr(`Failed to parse lines '${v ?? ''}'\n`);
        return 1;
      }
      lines = Number(v.replace('+', ''));
    } else if (a === '-f' || a === '--follow') {
      follow = true;
    } else if (a === '--no-pager' || a === '-q' || a === '--quiet') {
      // no pager in the lab
    } else {
      io.stderr(`journalctl: unrecognized option '${a}'\n`);
      return 1;
    }
  }
  const journal = host.journal ?? host.services?.journal;
  const matches = (e: JournalEntry) => units.length === 0 || units.includes(e.unit);
  let entries = (journal?.entries ?? []).filter(matches);
  if (lines !== undefined) entries = entries.slice(Math.max(0, entries.length - lines));
  else if (follow) entries = entries.slice(-10);
  if (entries.length === 0 && !follow) {
    io.stdout('-- No entries --\n');
    return 0;
  }
  io.stdout(entries.map((e) => formatJournalEntry(e) + '\n').join(''));
  if (!follow || !journal) return 0;
  await new Promise<void>((resolve) => {
    const unsubscribe = journal.subscribe((e) => {
      if (matches(e)) io.stdout(formatJournalEntry(e) + '\n');
    });
    const done = () => {
      unsubscribe();
      resolve();
    };
    if (io.signal.aborted) done();
    else io.signal.addEventListener('abort', done, { once: true });
  });
  return 0;
};
