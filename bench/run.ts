// `npm run bench`: runs every benchmark and prints one JSON document. Timing never fails a build.
import { benchBrowser } from './browser.ts';
import { benchFuzz } from './fuzz.ts';
import { benchKernel, benchNetfilter } from './kernel.ts';
import { benchKv } from './kv.ts';

interface Section {
  name: string;
  run: () => Promise<Record<string, number | string>>;
}

const sections: Section[] = [
  { name: 'kernel', run: benchKernel },
  { name: 'netfilter', run: benchNetfilter },
  { name: 'kv', run: benchKv },
  { name: 'fuzz', run: benchFuzz },
  { name: 'browser', run: benchBrowser },
];

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
};
for (const section of sections) {
  try {
    report[section.name] = await section.run();
  } catch (err) {
    report[section.name] = { error: String(err) };
  }
}
console.log(JSON.stringify(report, null, 2));
