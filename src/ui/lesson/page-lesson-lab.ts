// The lesson runner's view of the page's lab: checks and capture taps go to the host workers
// unseen; Run blocks are typed into the host's terminal, which is shown first.

import type { LessonLab } from '../../engine/lesson/grade.ts';
import type { Lab } from '../lab.svelte.ts';

export function pageLessonLab(lab: Lab, show: (host: string) => Promise<void>): LessonLab {
  const api = (host: string) => {
    const a = lab.api(host);
    if (!a) throw new Error(`${host} is not running`);
    return a;
  };
  return {
    script: (host, text) => api(host).runScript(text),
    type: async (host, line) => {
      await show(host);
      await lab.exec(host, line);
    },
    advance: (ms) => lab.advance(ms),
    watch: (host, target) => api(host).watchFrames(target),
    seen: (host, id) => api(host).framesSeen(id),
    unwatch: async (host, id) => api(host).unwatchFrames(id),
    facts: (host) => api(host).facts(),
  };
}
