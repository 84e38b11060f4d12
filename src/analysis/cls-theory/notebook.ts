/**
 * The notebook (hippocampal) memory of the Go-CLS model of Sun, Advani, Spruston, Saxe & Fitzgerald
 * (Nature Neuroscience 26, 2023): M units storing P patterns.
 */
import { InputError } from '../../core/errors.ts';

/**
 * Mean squared recall error of the notebook holding P patterns in M units, as used by Sun et al. (2023):
 *
 *   E_notebook = (P - 1) / (M - 1)
 *
 * (the crosstalk from the other P - 1 stored patterns, each contributing 1 / (M - 1); dimensionless, on the scale
 * where the output variance is 1). It is 0 for a single pattern and grows linearly with the load. Formula taken
 * from go_cls.json (test/fixtures/reference), not derived here.
 *
 * @param p number of stored patterns P (integer >= 1)
 * @param m number of notebook units M (integer >= 2)
 */
export function notebookMemoryError(p: number, m: number): number {
  if (!Number.isSafeInteger(p) || p < 1) throw new InputError('p', 'must be an integer >= 1');
  if (!Number.isSafeInteger(m) || m < 2) throw new InputError('m', 'must be an integer >= 2');
  return (p - 1) / (m - 1);
}
