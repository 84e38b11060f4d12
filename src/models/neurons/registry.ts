/** Neuron models by the name circuit files use. Spike sources are described in sources.ts. */
import { ADEX } from './adex.ts';
import { COBA } from './coba.ts';
import { KWTA_UNIT } from './kwta.ts';
import { LIF } from './lif.ts';
import { THRESHOLD_UNIT } from './threshold.ts';
import type { NeuronModel } from './types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNeuronModel = NeuronModel<any, any>;

export const NEURON_MODELS: Readonly<Record<string, AnyNeuronModel>> = Object.freeze({
  [LIF.name]: LIF,
  [COBA.name]: COBA,
  [THRESHOLD_UNIT.name]: THRESHOLD_UNIT,
  [ADEX.name]: ADEX,
  [KWTA_UNIT.name]: KWTA_UNIT,
});

/** Source kinds: populations driven by a schedule. */
export const SOURCE_KINDS = ['poisson', 'spike_generator'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
