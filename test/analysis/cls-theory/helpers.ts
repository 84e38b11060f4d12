/** Shared helpers for the cls-theory tests: the reference JSON (values and printed digits) and sample statistics. */
import { readFileSync } from 'node:fs';

const url = new URL('../../fixtures/reference/go_cls.json', import.meta.url);

/** The reference file test/fixtures/reference/go_cls.json (a copy of shared/reference/go_cls.json), parsed. */
export const REF = JSON.parse(readFileSync(url, 'utf8')) as {
  formulas: Record<string, string>;
  asymptotes_snr_1: Record<string, number>;
  notebook_memory_error: Record<string, number>;
} & Record<string, unknown>;

/** The reference file as text, for the decimals each value was printed with (JSON.parse drops the 0 of 0.520). */
export const REF_TEXT = readFileSync(url, 'utf8');

export interface RefTable {
  key: string;
  eta: number;
  epochs: number;
  columns: string[];
  /** per row: the tokens as printed */
  printed: string[][];
}

/** Tables named eta_<eta>_epochs_<epochs>, with each row's tokens exactly as printed in the file. */
export function refTables(): RefTable[] {
  const out: RefTable[] = [];
  for (const key of Object.keys(REF)) {
    const m = /^eta_([0-9.]+)_epochs_([0-9]+)$/.exec(key);
    if (!m) continue;
    const table = REF[key] as { columns: string[]; rows: unknown[][] };
    const start = REF_TEXT.indexOf(`"${key}"`);
    const rowsAt = REF_TEXT.indexOf('"rows"', start);
    const end = REF_TEXT.indexOf(']\n }', rowsAt);
    const block = REF_TEXT.slice(REF_TEXT.indexOf('[', rowsAt) + 1, end);
    const printed = [...block.matchAll(/\[([^[\]]+)\]/g)].map((r) => r[1]!.split(',').map((s) => s.trim()));
    if (printed.length !== table.rows.length) throw new Error(`could not read the printed rows of ${key}`);
    out.push({ key, eta: Number(m[1]), epochs: Number(m[2]), columns: table.columns, printed });
  }
  return out;
}

/** Half a unit in the last printed decimal: the tolerance "to the printed digits". */
export function halfUlp(printed: string): number {
  const dot = printed.indexOf('.');
  const decimals = dot < 0 ? 0 : printed.length - dot - 1;
  return 0.5 * 10 ** -decimals;
}

/** Sample mean and standard error of the mean. */
export function meanSe(xs: readonly number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n) };
}
