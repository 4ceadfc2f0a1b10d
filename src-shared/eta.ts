/**
 * A training run's time left, from the rate since the run last started or resumed: what ran before a
 * resume (another process, maybe hours ago, maybe another machine) says nothing about the pace now.
 */

/** How far a run is at a point in time: `done` is the fraction of all its batches, in [0, 1]. */
export interface ProgressSample {
  done: number;
  /** Milliseconds on any monotonic clock. */
  t: number;
}

/** The fraction of a run's batches done once `batch` of `nBatches` of `epoch` (1-based) has run. */
export function runFraction(epoch: number, batch: number, nBatches: number, totalEpochs: number): number {
  return totalEpochs > 0 && nBatches > 0 ? Math.min(1, (epoch - 1 + batch / nBatches) / totalEpochs) : 0;
}

/**
 * Seconds left at `now`, at the pace since `since` (the first batch after the run's last start or
 * resume); null until there is a pace to go by.
 */
export function etaSeconds(since: ProgressSample, now: ProgressSample): number | null {
  const rate = (now.done - since.done) / (now.t - since.t);
  return rate > 0 && Number.isFinite(rate) ? (1 - now.done) / rate / 1000 : null;
}
