/** The `cls-spiking` protocol's settings (scenario files, `protocol:`); the protocol is cls-spiking.ts. */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

/**
 * A CLS run whose replay comes from the notebook on the engine (hippocampus/spiking-notebook.ts): one linear teacher,
 * unregulated replay, `seeds` runs; beside each, the algebraic notebook on the same seed, whose reactivations the
 * spiking ones must equal.
 */
export const clsSpikingProtocolSchema = z.strictObject({
  kind: z.literal('cls-spiking'),
  /** SNR of the linear teacher; 'inf' for a noiseless one. */
  snr: z.union([z.literal('inf'), finite.refine((x) => x >= 0, 'expected an SNR >= 0')]).default('inf'),
  seeds: z.number().int().positive().default(1),
  epochs: z.number().int().positive().default(20),
  learning_rate: finite.refine((x) => x > 0, 'expected a learning rate > 0').default(0.015),
  examples: z.number().int().positive().default(100),
  inputs: z.number().int().positive().default(100),
  /** Notebook units M (coding level a = 0.05: M / 20 active units, so M must be a multiple of 20). */
  notebook_units: z
    .number()
    .int()
    .positive()
    .refine((m) => m % 20 === 0, 'expected a multiple of 20 (M a = M / 20 active units must be a whole number)')
    .default(400),
  /** Fixed threshold U of the second reactivation phase (default the published -0.15). */
  threshold: finite.optional(),
  /** One synchronous cycle on the engine: a clock tick plus the recurrent delay, dt = cycle_ms / 2. */
  cycle_ms: finite.refine((x) => x > 0, 'expected a cycle > 0 ms').default(10),
  /** Also compute the algebraic notebook's schedule on the same seed and report the agreement. */
  compare: z.boolean().default(true),
});
export type ClsSpikingProtocol = z.infer<typeof clsSpikingProtocolSchema>;
