// The lab's packet journey recorder, as the page drives it: the Trace button and `trace` on a
// terminal start every host's recorder and stop them; the hosts' recordings merge into one
// journey (engine/lab/journey.ts, loaded on first use) that the Journey panel shows. The last
// journey of each backend is kept, for the side-by-side view.

import type * as Comlink from 'comlink';
import type { Journey } from '../engine/lab/journey.ts';
import type { Backend } from '../engine/lab/params.ts';
import type { JourneyControl } from '../engine/programs/types.ts';
import type { HostWorkerApi } from '../workers/host-api.ts';

export interface JourneyHosts {
  /** The hosts running now, with their workers. */
  running(): { hostname: string; api: Comlink.Remote<HostWorkerApi> }[];
  backend(): Backend;
}

export class LabJourney {
  recording = $state(false);
  /** The journey shown; null before the first trace. */
  journey = $state.raw<Journey | null>(null);
  /** The backend `journey` was traced under. */
  backend = $state<Backend | null>(null);
  /** The last journey traced under each backend. */
  byBackend = $state.raw<Partial<Record<Backend, Journey>>>({});

  constructor(private readonly hosts: JourneyHosts) {}

  async start(): Promise<void> {
    await Promise.all(this.hosts.running().map((h) => h.api.journeyStart()));
    this.recording = true;
  }

  async stop(): Promise<Journey> {
    const running = this.hosts.running();
    const [recordings, { buildJourney }] = await Promise.all([
      Promise.all(
        running.map(async (h) => ({ host: h.hostname, journey: await h.api.journeyStop() })),
      ),
      import('../engine/lab/journey.ts'),
    ]);
    const journey = buildJourney(recordings);
    const backend = this.hosts.backend();
    this.recording = false;
    this.journey = journey;
    this.backend = backend;
    this.byBackend = { ...this.byBackend, [backend]: journey };
    return journey;
  }

  /** What `trace` on a terminal calls (through Comlink). */
  readonly control: JourneyControl = {
    start: () => this.start(),
    stop: async () => {
      const journey = await this.stop();
      const { journeyLines } = await import('../engine/lab/journey.ts');
      return journeyLines(journey.events);
    },
  };
}
