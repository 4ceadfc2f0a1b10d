import { closeSync, readSync } from 'node:fs';
import { FileFormatError } from '../errors.ts';
import { openRegularFile } from '../files.ts';
import type { FileRange } from './deferred.ts';

/**
 * Random access to the bytes of a file (positioned reads, so a huge file is never read whole) or of
 * memory. `name` is the file the bytes belong to, for error messages.
 */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes at `position`: a fresh buffer (file) or a view (memory). Throws when short. */
  read(position: number, length: number): Uint8Array;
}

function truncated(name: string, position: number, length: number, size: number): FileFormatError {
  return new FileFormatError(
    name,
    `truncated: needed ${length} bytes at offset ${position}, but the data ends at ${size}`,
  );
}

/** Node's fs calls take at most 2 GiB − 1 per call. */
const MAX_IO = 1 << 30;
/** Read size when someone follows the progress: small enough for a smooth display, big enough not to slow the read. */
const PROGRESS_IO = 64 << 20;

/** Bytes of the file read so far (the furthest position reached) and its size; reads are synchronous. */
export type ReadProgress = (bytesDone: number, size: number) => void;

export class FileSource implements ByteSource {
  private constructor(
    readonly name: string,
    private fd: number,
    readonly size: number,
    private readonly onRead?: ReadProgress,
  ) {}

  private furthest = 0;

  static open(path: string, onRead?: ReadProgress): FileSource {
    const { fd, size } = openRegularFile(path);
    return new FileSource(path, fd, size, onRead);
  }

  read(position: number, length: number): Uint8Array {
    if (position < 0 || length < 0 || position + length > this.size) {
      throw truncated(this.name, position, length, this.size);
    }
    // Unzeroed and never pooled: the buffer is filled at once, and owns its ArrayBuffer from offset 0 (aligned views).
    const out = Buffer.allocUnsafeSlow(length);
    let done = 0;
    while (done < length) {
      const n = readSync(
        this.fd,
        out,
        done,
        Math.min(this.onRead ? PROGRESS_IO : MAX_IO, length - done),
        position + done,
      );
      if (n === 0) throw truncated(this.name, position, length, position + done);
      done += n;
      if (this.onRead && position + done > this.furthest) this.onRead((this.furthest = position + done), this.size);
    }
    return out;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export class MemorySource implements ByteSource {
  constructor(
    readonly name: string,
    readonly bytes: Uint8Array,
  ) {}
  get size(): number {
    return this.bytes.length;
  }
  read(position: number, length: number): Uint8Array {
    if (position < 0 || length < 0 || position + length > this.bytes.length) {
      throw truncated(this.name, position, length, this.bytes.length);
    }
    return this.bytes.subarray(position, position + length);
  }
}

/** A byte range of another source, addressed from 0 (a zip entry, an embedded blob). */
export class SliceSource implements ByteSource {
  constructor(
    readonly base: ByteSource,
    readonly offset: number,
    readonly size: number,
    readonly name = base.name,
  ) {
    if (offset < 0 || size < 0 || offset + size > base.size) throw truncated(base.name, offset, size, base.size);
  }
  read(position: number, length: number): Uint8Array {
    if (position < 0 || length < 0 || position + length > this.size) {
      throw truncated(this.name, position, length, this.size);
    }
    return this.base.read(this.offset + position, length);
  }
}

/** Reads `[offset, offset + length)` of a source as its own source without copying where possible. */
export function subSource(source: ByteSource, offset: number, length: number, name = source.name): ByteSource {
  if (source instanceof MemorySource) return new MemorySource(name, source.read(offset, length));
  if (source instanceof SliceSource) return new SliceSource(source.base, source.offset + offset, length, name);
  return new SliceSource(source, offset, length, name);
}

/** Where byte `position` of `source` lies in a file on disk, when it does (not for inflated or in-memory bytes). */
export function fileRangeOf(source: ByteSource, position: number): FileRange | null {
  if (source instanceof FileSource) return { file: source.name, fileSize: source.size, byteOffset: position };
  if (source instanceof SliceSource && source.base instanceof FileSource)
    return { file: source.base.name, fileSize: source.base.size, byteOffset: source.offset + position };
  return null;
}

const WINDOW = 1 << 20;
const utf8 = new TextDecoder('utf-8');

/**
 * A forward cursor over a source with little-endian helpers. File sources are read through a 1 MiB
 * window; memory sources are addressed directly.
 */
export class ByteReader {
  private buf: Uint8Array;
  private bufStart: number;
  pos: number;
  constructor(
    readonly source: ByteSource,
    start = 0,
    readonly end = source.size,
  ) {
    this.pos = start;
    if (source instanceof MemorySource) {
      this.buf = source.bytes;
      this.bufStart = 0;
    } else {
      this.buf = new Uint8Array(0);
      this.bufStart = start;
    }
  }

  get name(): string {
    return this.source.name;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes exist before `end`. */
  need(n: number): void {
    if (n > this.end - this.pos || n < 0) throw truncated(this.source.name, this.pos, n, this.end);
  }

  /** Makes buf cover [pos, pos + n) and returns the index of pos in buf. */
  private at(n: number): number {
    const i = this.pos - this.bufStart;
    if (i >= 0 && i + n <= this.buf.length) return i;
    this.need(n);
    const length = Math.min(Math.max(n, WINDOW), this.end - this.pos);
    this.buf = this.source.read(this.pos, length);
    this.bufStart = this.pos;
    return 0;
  }

  u8(): number {
    const i = this.at(1);
    this.pos += 1;
    return this.buf[i];
  }

  u16(): number {
    const i = this.at(2);
    this.pos += 2;
    return this.buf[i] | (this.buf[i + 1] << 8);
  }

  u32(): number {
    const i = this.at(4);
    this.pos += 4;
    const b = this.buf;
    return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000;
  }

  i32(): number {
    const i = this.at(4);
    this.pos += 4;
    const b = this.buf;
    return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
  }

  /** An unsigned 64-bit length or offset; larger than 2**53 cannot be real and is an error. */
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= 0x200000)
      throw new FileFormatError(this.source.name, `implausible 64-bit length at offset ${this.pos - 8}`);
    return hi * 0x100000000 + lo;
  }

  f64be(): number {
    const i = this.at(8);
    this.pos += 8;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 8).getFloat64(0, false);
  }

  /** `n` bytes as a buffer of their own (memory: a view), so windows are not kept alive by small values. */
  bytes(n: number): Uint8Array {
    this.need(n);
    if (this.source instanceof MemorySource || n > WINDOW / 4) {
      const out = this.source.read(this.pos, n);
      this.pos += n;
      return out;
    }
    const i = this.at(n);
    this.pos += n;
    // A copy (not Buffer#slice, which would be a view keeping the whole window alive).
    return new Uint8Array(this.buf.subarray(i, i + n));
  }

  /** A view of the next `n` bytes valid until the next read (for decoding). */
  peekView(n: number): Uint8Array {
    if (n > WINDOW) return this.source.read(this.pos, n);
    const i = this.at(n);
    return this.buf.subarray(i, i + n);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  utf8(n: number): string {
    const view = this.peekView(n);
    this.pos += n;
    return utf8.decode(view);
  }

  latin1(n: number): string {
    // Not TextDecoder('latin1'): WHATWG maps that label to windows-1252.
    const view = this.peekView(n);
    this.pos += n;
    return Buffer.from(view.buffer, view.byteOffset, view.length).toString('latin1');
  }

  /** A text line without its '\n' (pickle protocol 0 arguments), at most `limit` bytes. */
  line(limit = 1 << 16): string {
    const start = this.pos;
    const max = Math.min(limit, this.end - start);
    for (let k = 0; k < max; k++) {
      const i = this.at(1);
      if (this.buf[i] === 0x0a) {
        this.pos = start;
        const text = this.latin1(k);
        this.pos += 1;
        return text;
      }
      this.pos += 1;
    }
    this.pos = start;
    throw new FileFormatError(this.source.name, `unterminated text argument at offset ${start}`);
  }
}

/** What a file may expand to, as a multiple of its size (plus READ_BUDGET_FLOOR); ALPHANET_READ_EXPANSION overrides it. */
export const READ_EXPANSION = 64;
/** Small files may still hold a few legitimately compressible arrays. */
export const READ_BUDGET_FLOOR = 256 * 2 ** 20;

/**
 * One byte budget per file read, shared by everything a reader materialises from it: inflated zip
 * entries, STORED entries and safetensors ranges read into buffers, and what pickle handlers copy. A
 * zip bomb, entries sharing one stream or memo references repeating a large view all run out of it
 * and fail naming the file, instead of growing the process by gigabytes.
 */
export class ReadBudget {
  private used = 0;
  constructor(
    readonly name: string,
    readonly limit: number,
  ) {}

  /** The default budget of a file of `size` bytes: READ_EXPANSION (or ALPHANET_READ_EXPANSION) × its size + READ_BUDGET_FLOOR. */
  static forSize(name: string, size: number, env: NodeJS.ProcessEnv = process.env): ReadBudget {
    const override = Number(env.ALPHANET_READ_EXPANSION);
    const factor = Number.isFinite(override) && override > 0 ? override : READ_EXPANSION;
    return new ReadBudget(name, factor * size + READ_BUDGET_FLOOR);
  }

  /** Counts `bytes` about to be materialised; throws before they are when the budget would be exceeded. */
  charge(bytes: number, what: string): void {
    if (this.used + bytes > this.limit) {
      throw new FileFormatError(
        this.name,
        `${what} would bring what this file expands to past ${this.limit} bytes (a compression bomb, overlapping ` +
          'entries or repeated references?); set ALPHANET_READ_EXPANSION to a larger multiple of the file size if the file is genuine',
      );
    }
    this.used += bytes;
  }
}
