/**
 * A run's cancel flag as its training thread sees it: an Int32 in shared memory that the thread
 * owning the run sets to 1 (`raiseCancelFlag`). Training keeps the thread's event loop busy, so a posted
 * message would arrive only after the run; `check()` reads the flag instead, at every batch, and turns
 * it into an abort of `signal`, which the engine sees before its next batch.
 */
export class CancelFlag {
  private readonly flag: Int32Array;
  private readonly controller = new AbortController();

  constructor(buffer: SharedArrayBuffer) {
    this.flag = new Int32Array(buffer);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  check(): void {
    if (!this.controller.signal.aborted && Atomics.load(this.flag, 0) === 1) this.controller.abort();
  }
}

export function raiseCancelFlag(flag: Int32Array): void {
  Atomics.store(flag, 0, 1);
}
