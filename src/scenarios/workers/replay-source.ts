/**
 * What computes a replay schedule's reactivations: the notebook itself, or, for a sparse Hopfield notebook the integer
 * keys can represent, the notebook wrapped in the eight-lane WebAssembly kernel (backends/cpu/wasm/notebook-lanes.ts),
 * which gives the same schedule, entry for entry, about four times faster. `js` keeps the notebook alone (baselines,
 * comparisons).
 */
import { NotebookLanes, notebookLanesSupport } from '../../backends/cpu/wasm/notebook-lanes.ts';
import { createNotebook, createTeacher, Notebook, replayKey, ReplaySchedule, sampleData, type ClsParams, type RecallStates, type ReplaySource } from '../../models/memory/cls/index.ts';

/** Which code settles the reactivations: the WebAssembly lanes where they apply (default), or the notebook alone. */
export type ReplayKernel = 'wasm' | 'js';

/** The source of a schedule's reactivations for a notebook (see the file comment). */
export function replaySource(notebook: ReplaySource, kernel: ReplayKernel = 'wasm'): ReplaySource {
  if (kernel === 'wasm' && notebook instanceof Notebook && notebookLanesSupport(notebook) === undefined) return new NotebookLanes(notebook);
  return notebook;
}

/** The notebook of a run of `params` with `seed` (its stored examples never change a reactivation), as a replay source. */
export function notebookSource(params: ClsParams, seed: number, kernel: ReplayKernel = 'wasm'): ReplaySource {
  const train = sampleData(createTeacher(params.teacher, seed), params.p, 'train');
  return replaySource(createNotebook(params.notebook, train, seed), kernel);
}

/** The whole schedule of a run of `params` with `seed`, computed now in this thread (as models' computeReplaySchedule). */
export function scheduleHere(params: ClsParams, seed: number, epochs: number, kernel: ReplayKernel = 'wasm'): ReplaySchedule {
  const schedule = new ReplaySchedule({ key: replayKey(seed, params.p, params.notebook), epochs, source: notebookSource(params, seed, kernel) });
  schedule.ensure(epochs);
  return schedule;
}

/**
 * Where the notebook of a run of `params` with `seed` ends its recalls of the run's training and test sets
 * (`Notebook.recallStates`, eight at a time in the WebAssembly lanes where they apply): runCls's `recall` option for
 * every run of that seed, P, notebook and inputs. Undefined for a notebook that is not the Hopfield network.
 */
export function recallStatesFor(params: ClsParams, seed: number, kernel: ReplayKernel = 'wasm'): { train: RecallStates; test: RecallStates } | undefined {
  if ((params.notebook.kind ?? 'hopfield') !== 'hopfield') return undefined;
  const teacher = createTeacher(params.teacher, seed);
  const train = sampleData(teacher, params.p, 'train');
  const test = sampleData(teacher, params.pTest, 'test');
  const notebook = createNotebook(params.notebook, train, seed);
  if (!(notebook instanceof Notebook)) return undefined;
  const source = replaySource(notebook, kernel);
  const recall = source instanceof NotebookLanes ? source : notebook;
  return { train: recall.recallStates(train), test: recall.recallStates(test) };
}
