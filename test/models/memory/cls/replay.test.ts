import { describe, expect, it } from 'vitest';
import { clsParams } from '../../../../src/models/memory/cls/params.ts';
import { Notebook } from '../../../../src/models/memory/cls/notebook.ts';
import { ReplaySchedule, replayKey } from '../../../../src/models/memory/cls/replay.ts';
import { computeReplaySchedule, runCls, type ClsEvent } from '../../../../src/models/memory/cls/run.ts';
import { createTeacher, sampleData } from '../../../../src/models/memory/cls/teacher.ts';

describe('replay schedule', () => {
  // M = 400 with P = 100 is past capacity: many reactivations end off the stored patterns, so the beta readout is used
  const small = (snr: number, epochs = 40) => clsParams({ teacher: { kind: 'linear', n: 100, snr }, notebook: { m: 400 }, student: { epochs } });

  it('reads every reactivation out as the notebook reads out the same state through its links', () => {
    const params = small(4, 10);
    const train = sampleData(createTeacher(params.teacher, 3), 100, 'train');
    const schedule = computeReplaySchedule(params, 3);
    const nb = new Notebook(params.notebook, train, 3);
    const viaSchedule = new Float64Array(100);
    const viaState = new Float64Array(100);
    let inexact = 0;
    for (let e = 1; e <= 10; e++)
      for (let slot = 0; slot < 100; slot++) {
        const r = nb.settle(e, slot);
        const entry = schedule.entry(e, slot);
        expect(entry).toEqual({ outcome: r.outcome, memory: r.memory, distance: r.distance, active: r.active, kwtaCycles: r.kwtaCycles, thresholdCycles: r.thresholdCycles });
        const y = schedule.read(e, slot, nb, viaSchedule);
        const yState = nb.readout(viaState);
        if (r.distance !== 0) inexact++;
        expect(Math.abs(y - yState)).toBeLessThan(1e-12 * (1 + Math.abs(yState)));
        for (let j = 0; j < 100; j++) expect(Math.abs(viaSchedule[j]! - viaState[j]!)).toBeLessThan(1e-12);
      }
    console.log(`M 400, P 100: ${inexact} of 1000 reactivations off the stored patterns (read out through beta)`);
    expect(inexact).toBeGreaterThan(20);
  });

  it('a run replaying a shared schedule (computed once, moved as plain data) equals the run that computes its own, at every SNR and regime', () => {
    const shared = new ReplaySchedule({ data: computeReplaySchedule(small(Infinity), 5).toData() });
    for (const snr of [Infinity, 4, 0.05]) {
      for (const regime of [{ kind: 'unregulated' } as const, { kind: 'generalization-optimized', tStar: { source: 'held-out' } } as const]) {
        const events: ClsEvent[] = [];
        const own = runCls(small(snr), 5, regime, (e) => events.push(e));
        const sharedEvents: ClsEvent[] = [];
        const reused = runCls(small(snr), 5, regime, (e) => sharedEvents.push(e), { schedule: shared });
        expect(Array.from(reused.curves.student_train)).toEqual(Array.from(own.curves.student_train));
        expect(Array.from(reused.curves.student_test)).toEqual(Array.from(own.curves.student_test));
        expect(Array.from(reused.weights)).toEqual(Array.from(own.weights));
        expect(reused.reactivations).toEqual(own.reactivations);
        expect(sharedEvents).toEqual(events);
      }
    }
    expect(shared.counters.recomputes).toBeGreaterThan(0);
  });

  it('refuses a schedule of another seed, P or notebook, and an epoch it does not hold', () => {
    const schedule = computeReplaySchedule(small(4, 5), 1);
    expect(schedule.key).toBe(replayKey(1, 100, small(4).notebook));
    expect(() => runCls(small(4, 5), 2, { kind: 'unregulated' }, undefined, { schedule })).toThrow('replay schedule was computed for');
    expect(() => runCls(clsParams({ notebook: { m: 600 }, student: { epochs: 5 } }), 1, { kind: 'unregulated' }, undefined, { schedule })).toThrow(
      'replay schedule was computed for',
    );
    expect(() => runCls(small(4, 6), 1, { kind: 'unregulated' }, undefined, { schedule })).toThrow('epoch 6 beyond its 5 epochs');
    const partial = new ReplaySchedule({ data: { ...schedule.toData(), computed: 2 } });
    expect(() => partial.entry(3, 0)).toThrow('epoch 3 was not computed');
  });
});
