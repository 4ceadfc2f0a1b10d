/**
 * TensorBoard event files for one run, written as the run goes: the same tags the store records
 * (spec §5), so a run opens in TensorBoard itself as well as in the workbench's curves view.
 */
import type { EpochRecord, EvalMetrics } from '../../src-shared/result.ts';
import { epochScalars, metricScalars } from '../../src-shared/scalars.ts';
import { EventFileWriter } from './writer.ts';

export class RunEventLogger {
  private readonly writer: EventFileWriter;

  /** `iterationsDone`: batches of the epochs already logged (a resumed run continues the step count). */
  constructor(
    dir: string,
    private iterationsDone = 0,
  ) {
    this.writer = new EventFileWriter(dir);
  }

  get file(): string {
    return this.writer.file;
  }

  /** Logs an epoch and flushes, so a crash loses at most the epoch in progress. */
  epoch(rec: EpochRecord): void {
    for (const s of epochScalars(rec, this.iterationsDone)) this.writer.addScalar(s.tag, s.value, s.step);
    this.iterationsDone += rec.batch_losses.length;
    this.writer.flush();
  }

  test(metrics: EvalMetrics, step: number): void {
    for (const s of metricScalars('test', metrics, step)) this.writer.addScalar(s.tag, s.value, s.step);
    this.writer.flush();
  }

  close(): void {
    this.writer.close();
  }
}
