/**
 * Writes TensorBoard event files: TFRecord-framed `Event` protos, the first one announcing
 * `brain.Event:2`. Events are buffered and appended on flush() (once per epoch in training) so a
 * reader never sees a half-written record unless the process dies mid-append.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeHistogram } from './histogram.ts';
import { type TbEvent, encodeEvent } from './proto.ts';
import { frameRecord } from './record.ts';

/** Pending bytes beyond which events are appended without waiting for flush(). */
const AUTO_FLUSH_BYTES = 1 << 20;

let filesThisProcess = 0;

export interface EventFileWriterOptions {
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
  hostname?: string;
}

export class EventFileWriter {
  /** `events.out.tfevents.<unix seconds, 10 digits>.<hostname>.<pid>.<n>`, as TensorBoard's own writer names files. */
  readonly file: string;
  private readonly now: () => number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(dir: string, options: EventFileWriterOptions = {}) {
    this.now = options.now ?? Date.now;
    const seconds = this.now() / 1000;
    const host = (options.hostname ?? os.hostname()).replace(/[/\\]/g, '_');
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(
      dir,
      `events.out.tfevents.${String(Math.floor(seconds)).padStart(10, '0')}.${host}.${process.pid}.${filesThisProcess++}`,
    );
    // 'wx': never append to someone else's file.
    fs.writeFileSync(
      this.file,
      frameRecord(encodeEvent({ wallTime: seconds, step: 0, fileVersion: 'brain.Event:2' })),
      { flag: 'wx' },
    );
  }

  addScalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.add({ wallTime: wallTime ?? this.now() / 1000, step, summary: [{ tag, simpleValue: value }] });
  }

  /** A histogram of `values` with TensorFlow's default buckets (see makeHistogram). */
  addHistogram(tag: string, values: ArrayLike<number>, step: number, wallTime?: number): void {
    this.add({ wallTime: wallTime ?? this.now() / 1000, step, summary: [{ tag, histo: makeHistogram(values) }] });
  }

  add(event: TbEvent): void {
    if (this.closed) throw new Error(`${this.file}: the event writer is closed`);
    const record = frameRecord(encodeEvent(event));
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.pendingBytes >= AUTO_FLUSH_BYTES) this.flush();
  }

  /** Appends every pending event to the file. */
  flush(): void {
    if (this.pending.length === 0) return;
    fs.appendFileSync(this.file, Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }
}
