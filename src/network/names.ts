/** Projection names, shared by the network builder and the memory estimate (which network.ts imports). */

/** The fields of a projection spec a default name is made from. */
export interface NamedProjection {
  readonly source: string;
  readonly target: string;
  readonly receptor: string;
}

/**
 * The name of an unnamed projection, unique among the defaults: `source->target` when no other projection joins the
 * same pair, `source->target:receptor` when several do on different receptors, and `source->target:receptor:k`
 * (k its index) when several share the receptor too. The name keys the projection's random streams, so a circuit
 * whose defaults were already unique keeps its connectivity (docs/DECISIONS.md).
 */
export function defaultProjectionName(projections: ReadonlyArray<NamedProjection>, k: number): string {
  const pj = projections[k]!;
  const pair = `${pj.source}->${pj.target}`;
  const samePair = projections.filter((q) => q.source === pj.source && q.target === pj.target);
  if (samePair.length === 1) return pair;
  const sameReceptor = samePair.filter((q) => q.receptor === pj.receptor);
  return sameReceptor.length === 1 ? `${pair}:${pj.receptor}` : `${pair}:${pj.receptor}:${k}`;
}
