import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/engine/queue.ts';

describe('EventQueue', () => {
  it('pops by tick, and by insertion order within a tick (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { maxLength: 300 }), (ticks) => {
        const q = new EventQueue<{ tick: number; seq: number; id: number }>();
        ticks.forEach((tick, id) => q.push({ tick, seq: 0, id }));
        const expected = ticks.map((tick, id) => ({ tick, id })).sort((a, b) => a.tick - b.tick || a.id - b.id);
        const got: Array<{ tick: number; id: number }> = [];
        while (q.size) {
          const e = q.pop()!;
          got.push({ tick: e.tick, id: e.id });
        }
        expect(got).toEqual(expected);
      }),
    );
  });
});
