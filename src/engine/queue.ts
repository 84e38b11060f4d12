/**
 * Min-heap of events ordered by (tick, sequence). Events pushed for the same tick pop in insertion order, as in
 * RxJS's VirtualTimeScheduler, so runs are reproducible whatever the heap's internal layout.
 */
export interface QueuedEvent {
  readonly tick: number;
  seq: number;
}

export class EventQueue<E extends QueuedEvent> {
  private readonly heap: E[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(e: E): void {
    e.seq = this.nextSeq++;
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** Tick of the earliest event, or Infinity. */
  peekTick(): number {
    return this.heap.length ? this.heap[0]!.tick : Infinity;
  }

  pop(): E | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.tick < b.tick || (a.tick === b.tick && a.seq < b.seq);
}
