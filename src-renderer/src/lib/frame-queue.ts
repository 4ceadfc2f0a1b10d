/**
 * Spreads chart work over animation frames. Creating or redrawing a dozen ECharts charts in one task
 * held the page for over a second on first open (each chart 30–160 ms here), so the first chart
 * appeared only with the last and a dragged slider stalled; queued, the charts are drawn lowest rank
 * first (their place on the page; equal ranks in the order asked), as many per frame as fit the budget
 * and at least one, so the first paints after its own cost. A job queued again under the same key
 * before it ran replaces the old one: a chart redraws once, with the latest settings, however fast
 * they changed.
 */
export interface FrameQueue {
  add(key: object, job: () => void, rank: number): void;
  /** Forgets the key's job if it has not run (its chart is gone). */
  drop(key: object): void;
}

export function frameQueue(
  requestFrame: (run: () => void) => unknown,
  now: () => number,
  budgetMs: number,
): FrameQueue {
  const jobs = new Map<object, { job: () => void; rank: number }>();
  let scheduled = false;
  function schedule(): void {
    if (scheduled || jobs.size === 0) return;
    scheduled = true;
    requestFrame(run);
  }
  function run(): void {
    scheduled = false;
    const start = now();
    try {
      do {
        // A few dozen charts at most: a scan beats keeping a heap. A Map keeps insertion order for ties.
        let next: [object, { job: () => void; rank: number }] | undefined;
        for (const entry of jobs) if (!next || entry[1].rank < next[1].rank) next = entry;
        if (!next) break;
        jobs.delete(next[0]);
        next[1].job();
      } while (now() - start < budgetMs);
    } finally {
      // A chart that throws (the error reaches the page's handlers) leaves the rest for the next frame.
      schedule();
    }
  }
  return {
    add(key, job, rank) {
      jobs.set(key, { job, rank });
      schedule();
    },
    drop(key) {
      jobs.delete(key);
    },
  };
}

/** The Curves view's charts: about one 60 Hz frame's worth of work each frame. */
export const chartFrames = frameQueue(
  (run) => requestAnimationFrame(run),
  () => performance.now(),
  12,
);
