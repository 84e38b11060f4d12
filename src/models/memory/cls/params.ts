/**
 * Parameters of the complementary-learning-systems (teacher / notebook / student) model of Sun, Advani, Spruston,
 * Saxe & Fitzgerald, "Organizing memories for generalization in complementary learning systems", Nature Neuroscience
 * 26, 1438-1448 (2023); published simulation code: github.com/neuroai/Go-CLS_v2 (Fig_2/Fig_2a_to_f.m).
 *
 * Units: everything is dimensionless. Inputs x_i ~ N(0, 1/N), outputs have variance 1 (s_w^2 + s_e^2 = 1), the
 * notebook's fields, inhibition and threshold are in units of the normalised Hebbian weight (notebook.ts).
 */
import { InputError } from '../../../core/errors.ts';

/**
 * What generates the data. All teachers draw inputs x_i ~ N(0, 1/N) and give outputs of variance 1.
 * - linear:  y = x . w + e, w_i ~ N(0, s_w^2), e ~ N(0, s_e^2), s_w^2 = SNR / (SNR + 1), s_e^2 = 1 / (SNR + 1)
 *            (SNR = Infinity: s_e = 0).
 * - complex: y = c sin(g u), u = x . w with w_i ~ N(0, 1) rescaled so |w|^2 = N (u ~ N(0, 1) exactly), g = `gain`,
 *            c = sqrt(2 / (1 - exp(-2 g^2))) so that Var y = 1. Deterministic, but a linear student only sees its
 *            linear part; the rest acts as noise of effective SNR complexTeacherSnr(g) (teacher.ts).
 * - partial: y = x_full . w_full over N + `hidden` inputs, all x_i ~ N(0, 1/N), w_i ~ N(0, N / (N + hidden));
 *            the student sees only the first N inputs; the unseen part acts as noise of SNR N / hidden.
 */
export type TeacherParams =
  | { readonly kind: 'linear'; readonly n: number; readonly snr: number }
  | { readonly kind: 'complex'; readonly n: number; readonly gain: number }
  | { readonly kind: 'partial'; readonly n: number; readonly hidden: number };

/** Which auto-associative memory the notebook is: a sparse Hopfield network (notebook.ts) or a Kanerva SDM (sdm-notebook.ts). */
export type NotebookKind = 'hopfield' | 'sdm';

/**
 * The notebook (hippocampus): by default a sparse binary Hopfield network (notebook.ts); with kind 'sdm' a Kanerva SDM
 * over the same index patterns (sdm-notebook.ts), which uses m, a, kwtaCycles and its own fields below (gamma, u and
 * thresholdCycles belong to the Hopfield dynamics and are ignored).
 */
export interface NotebookParams {
  /** 'hopfield' (absent: the default) or 'sdm'. */
  readonly kind?: NotebookKind;
  /** Number of notebook units M. */
  readonly m: number;
  /** Coding level a: every index pattern has exactly M a active units (M a must be an integer). */
  readonly a: number;
  /** Global inhibition gamma: every off-diagonal weight carries -gamma / (M a). */
  readonly gamma: number;
  /** Fixed threshold U of the second reactivation phase, in units of the normalised weights. */
  readonly u: number;
  /** Synchronous k-winners-take-all cycles (k = M a) of reactivation and of recall. */
  readonly kwtaCycles: number;
  /** Synchronous fixed-threshold cycles that follow the kWTA cycles in reactivation. */
  readonly thresholdCycles: number;
  /** SDM only: hard locations H. */
  readonly locations?: number;
  /** SDM only: notebook units c each hard location's address samples (its inputs, as a granule cell's mossy fibres). */
  readonly addressUnits?: number;
  /** SDM only: a location is active when at least this many of its c units are (radius activation). */
  readonly threshold?: number;
  /** SDM only, instead of threshold: the topK locations of largest overlap are active (ties to the lowest index). */
  readonly topK?: number;
  /**
   * SDM only: Kanerva's counters ('plain': C += 2 xi - 1 at the active locations) or the covariance rule ('covariance':
   * C += (2 xi - 1)(1[j active] - |A| / H) at every location; ActivitySdm's centred counters).
   */
  readonly counters?: 'plain' | 'covariance';
}

/**
 * The SDM notebook's default (ours, docs/DECISIONS.md 49): H = 20,000 locations of c = 4 units each, active at 2 or
 * more of them (with a = 0.05 a pattern activates about 280 locations), covariance counters (plain counters replay
 * some memories far more often than others).
 */
export const SDM_NOTEBOOK_DEFAULTS = Object.freeze({ locations: 20_000, addressUnits: 4, threshold: 2, counters: 'covariance' as const });

/** The student (neocortex): a linear N -> 1 network trained by full-batch gradient descent from zero weights. */
export interface StudentParams {
  /** Learning rate eta of  w <- w + eta sum_batch (y - w . x) x  (no 1/P). */
  readonly eta: number;
  /** Number of epochs (one batch of P replayed examples and one update each). */
  readonly epochs: number;
}

export interface ClsParams {
  readonly teacher: TeacherParams;
  /** Number of stored (training) examples P. */
  readonly p: number;
  /** Number of fresh test examples for the generalization error. */
  readonly pTest: number;
  readonly notebook: NotebookParams;
  readonly student: StudentParams;
}

/**
 * The published simulation parameters (Sun et al. 2023, Methods and Fig. 2; Go-CLS_v2 Fig_2/Fig_2a_to_f.m):
 * N = 100, P = 100, 1000 test examples, SNR = Infinity (the figure also uses 4, 1 and 0.05), M = 2000, a = 0.05,
 * gamma = 0.6 and U = -0.15 (after Buhmann, Divko & Schulten 1989, Phys Rev A 39, 2689), 9 kWTA and 9 fixed-threshold
 * cycles, eta = 0.015, 2000 epochs.
 */
export const CLS_DEFAULTS: ClsParams = Object.freeze({
  teacher: Object.freeze({ kind: 'linear', n: 100, snr: Infinity } as const),
  p: 100,
  pTest: 1000,
  notebook: Object.freeze({ m: 2000, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }),
  student: Object.freeze({ eta: 0.015, epochs: 2000 }),
});

/** Overrides of the defaults, one level deep: `{ teacher: { kind: 'linear', n: 100, snr: 4 }, notebook: { m: 1000 } }`. */
export interface ClsOverrides {
  readonly teacher?: TeacherParams;
  readonly p?: number;
  readonly pTest?: number;
  readonly notebook?: Partial<NotebookParams>;
  readonly student?: Partial<StudentParams>;
}

/** The defaults with `overrides` applied, validated. */
export function clsParams(overrides: ClsOverrides = {}): ClsParams {
  const params: ClsParams = {
    teacher: overrides.teacher ?? CLS_DEFAULTS.teacher,
    p: overrides.p ?? CLS_DEFAULTS.p,
    pTest: overrides.pTest ?? CLS_DEFAULTS.pTest,
    notebook: withSdmDefaults({ ...CLS_DEFAULTS.notebook, ...overrides.notebook }),
    student: { ...CLS_DEFAULTS.student, ...overrides.student },
  };
  validateClsParams(params);
  return params;
}

/** An SDM notebook's parameters with its defaults filled in (so that equal notebooks have equal replay keys); others as given. */
export function withSdmDefaults(nb: NotebookParams): NotebookParams {
  if (nb.kind !== 'sdm') return nb;
  const { locations, addressUnits, threshold, counters } = SDM_NOTEBOOK_DEFAULTS;
  return {
    ...nb,
    locations: nb.locations ?? locations,
    addressUnits: nb.addressUnits ?? addressUnits,
    ...(nb.topK === undefined ? { threshold: nb.threshold ?? threshold } : {}),
    counters: nb.counters ?? counters,
  };
}

function isInt(x: number, min: number): boolean {
  return Number.isSafeInteger(x) && x >= min;
}

/** Throws InputError (naming the field, e.g. `cls: /notebook/a`) on the first invalid value. */
export function validateTeacherParams(t: TeacherParams, where = 'cls: /teacher'): void {
  if (!isInt(t.n, 1)) throw new InputError(`${where}/n`, `must be an integer >= 1, got ${t.n}`);
  switch (t.kind) {
    case 'linear':
      if (!(t.snr >= 0)) throw new InputError(`${where}/snr`, `must be >= 0 (Infinity allowed), got ${t.snr}`);
      return;
    case 'complex':
      if (!(t.gain > 0 && Number.isFinite(t.gain))) throw new InputError(`${where}/gain`, `must be a finite number > 0, got ${t.gain}`);
      return;
    case 'partial':
      if (!isInt(t.hidden, 0)) throw new InputError(`${where}/hidden`, `must be an integer >= 0, got ${t.hidden}`);
      return;
    default:
      throw new InputError(`${where}/kind`, `must be 'linear', 'complex' or 'partial', got ${String((t as { kind: unknown }).kind)}`);
  }
}

export function validateNotebookParams(nb: NotebookParams, where = 'cls: /notebook'): void {
  if (!isInt(nb.m, 2)) throw new InputError(`${where}/m`, `must be an integer >= 2, got ${nb.m}`);
  if (!(nb.a > 0 && nb.a < 1)) throw new InputError(`${where}/a`, `must be in (0, 1), got ${nb.a}`);
  const k = nb.m * nb.a;
  if (Math.abs(k - Math.round(k)) > 1e-9 * nb.m) throw new InputError(`${where}/a`, `m * a must be an integer (exactly m a active units per pattern), got ${k}`);
  if (!Number.isFinite(nb.gamma)) throw new InputError(`${where}/gamma`, `must be a finite number, got ${nb.gamma}`);
  if (!Number.isFinite(nb.u)) throw new InputError(`${where}/u`, `must be a finite number, got ${nb.u}`);
  if (!isInt(nb.kwtaCycles, 1)) throw new InputError(`${where}/kwtaCycles`, `must be an integer >= 1, got ${nb.kwtaCycles}`);
  if (!isInt(nb.thresholdCycles, 0)) throw new InputError(`${where}/thresholdCycles`, `must be an integer >= 0, got ${nb.thresholdCycles}`);
  const kind = nb.kind ?? 'hopfield';
  const sdmFields = (['locations', 'addressUnits', 'threshold', 'topK', 'counters'] as const).filter((f) => nb[f] !== undefined);
  if (kind === 'hopfield') {
    if (sdmFields.length > 0) throw new InputError(`${where}/${sdmFields[0]!}`, `is a parameter of the SDM notebook only (kind: sdm), got it with kind hopfield`);
    return;
  }
  if (kind !== 'sdm') throw new InputError(`${where}/kind`, `must be 'hopfield' or 'sdm', got ${String(kind)}`);
  const h = nb.locations ?? SDM_NOTEBOOK_DEFAULTS.locations;
  if (!isInt(h, 1)) throw new InputError(`${where}/locations`, `must be an integer >= 1, got ${h}`);
  const c = nb.addressUnits ?? SDM_NOTEBOOK_DEFAULTS.addressUnits;
  if (!(isInt(c, 1) && c <= nb.m)) throw new InputError(`${where}/addressUnits`, `must be an integer from 1 to m = ${nb.m}, got ${c}`);
  if (nb.counters !== undefined && nb.counters !== 'plain' && nb.counters !== 'covariance') throw new InputError(`${where}/counters`, `must be 'plain' or 'covariance', got ${String(nb.counters)}`);
  if (nb.threshold !== undefined && nb.topK !== undefined) throw new InputError(`${where}/topK`, 'give threshold or topK, not both');
  if (nb.topK !== undefined) {
    if (!(isInt(nb.topK, 1) && nb.topK <= h)) throw new InputError(`${where}/topK`, `must be an integer from 1 to locations = ${h}, got ${nb.topK}`);
  } else {
    const t = nb.threshold ?? SDM_NOTEBOOK_DEFAULTS.threshold;
    if (!(isInt(t, 1) && t <= c)) throw new InputError(`${where}/threshold`, `must be an integer from 1 to addressUnits = ${c}, got ${t}`);
  }
}

export function validateClsParams(params: ClsParams): void {
  validateTeacherParams(params.teacher);
  if (!isInt(params.p, 1)) throw new InputError('cls: /p', `must be an integer >= 1, got ${params.p}`);
  if (!isInt(params.pTest, 1)) throw new InputError('cls: /pTest', `must be an integer >= 1, got ${params.pTest}`);
  validateNotebookParams(params.notebook);
  const { eta, epochs } = params.student;
  if (!(eta > 0 && Number.isFinite(eta))) throw new InputError('cls: /student/eta', `must be a finite number > 0, got ${eta}`);
  if (!isInt(epochs, 0)) throw new InputError('cls: /student/epochs', `must be an integer >= 0, got ${epochs}`);
}
