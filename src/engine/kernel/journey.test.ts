import { describe, expect, it } from 'vitest';
import { JOURNEY_MAX_FRAMES, JourneyRecorder } from './journey.ts';

const FRAME = 1;
const DROP = 8;

describe('JourneyRecorder', () => {
  it('keeps a bounded number of frames and counts the rest', () => {
    const rec = new JourneyRecorder();
    const words = new Uint32Array([2, 1, 1]);
    for (let i = 0; i < JOURNEY_MAX_FRAMES + 5; i++)
      rec.record(FRAME, i % 512, '', words, new Uint8Array(60), i);
    const j = rec.finish(() => []);
    expect(j.frames).toHaveLength(JOURNEY_MAX_FRAMES);
    expect(j.missed).toBe(5);
  });

  it('gives a decision to the next frame of its buffer, a drop to the frame before', () => {
    const rec = new JourneyRecorder();
    const route = new Uint32Array([0x0af40202, 254, 1, 0x0af40200, 24, 0, 3, 0, 253, 2, 0, 0]);
    rec.record(2, 7, '', route, null, 0);
    rec.record(FRAME, 7, '', new Uint32Array([3, 1, 1]), new Uint8Array(60), 0);
    rec.record(FRAME, 7, '', new Uint32Array([4, 0, 1]), new Uint8Array(60), 0);
    rec.record(DROP, 7, '', new Uint32Array([11]), null, 0);
    const [first, second] = rec.finish(() => []).frames;
    expect(first.decisions.map((d) => d.kind)).toEqual(['route']);
    expect(second.decisions).toEqual([{ kind: 'drop', reason: 'ip: ttl exceeded' }]);
  });
});
