import { inflateRawSync } from 'node:zlib';
import { FileFormatError } from '../errors.ts';
import { ByteReader, MemorySource, ReadBudget, subSource, type ByteSource } from './source.ts';

export interface ZipEntry {
  name: string;
  /** 0 = STORED, 8 = DEFLATED. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /**
   * The entry's uncompressed bytes as a source: a file range when STORED, inflated memory when
   * DEFLATED; its size is charged to the directory's read budget.
   */
  open(source: ByteSource): ByteSource;
  /** All of the entry's uncompressed bytes. */
  read(source: ByteSource): Uint8Array;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u32At(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000;
}

/** Finds the end-of-central-directory record: the last signature that has room for its comment. */
function findEocd(source: ByteSource): { tail: Uint8Array; at: number; tailStart: number } {
  const tailLength = Math.min(source.size, 22 + 0xffff);
  const tailStart = source.size - tailLength;
  const tail = source.read(tailStart, tailLength);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32At(tail, i) === EOCD && i + 22 + (tail[i + 20] | (tail[i + 21] << 8)) <= tail.length) {
      return { tail, at: i, tailStart };
    }
  }
  throw new FileFormatError(source.name, 'not a zip file, or a truncated one (no end of central directory)');
}

function entryFor(
  name: string,
  method: number,
  flags: number,
  compressedSize: number,
  size: number,
  localHeaderOffset: number,
  file: string,
  budget: ReadBudget,
  /** Where the next entry's local header (or the central directory) starts: the entry's data must end before it. */
  limit: number,
): ZipEntry {
  if (flags & 1) throw new FileFormatError(file, `zip entry ${name} is encrypted`);
  if (method !== 0 && method !== 8)
    throw new FileFormatError(
      file,
      `zip entry ${name} uses compression method ${method} (only STORED and DEFLATED are read)`,
    );
  if (method === 0 && compressedSize !== size)
    throw new FileFormatError(file, `zip entry ${name} is STORED but its sizes differ`);
  let dataStart = -1;
  const start = (source: ByteSource): number => {
    if (dataStart >= 0) return dataStart;
    const header = new ByteReader(source, localHeaderOffset, Math.min(source.size, localHeaderOffset + 30));
    header.need(30);
    if (header.u32() !== LOCAL)
      throw new FileFormatError(file, `zip entry ${name}: no local header at offset ${localHeaderOffset}`);
    header.skip(22);
    const nameLength = header.u16();
    const extraLength = header.u16();
    dataStart = localHeaderOffset + 30 + nameLength + extraLength;
    if (dataStart + compressedSize > source.size) {
      throw new FileFormatError(
        file,
        `truncated: zip entry ${name} needs ${compressedSize} bytes at offset ${dataStart}, but the file ends at ${source.size}`,
      );
    }
    if (dataStart + compressedSize > limit) {
      throw new FileFormatError(
        file,
        `zip entry ${name} (offset ${dataStart}, ${compressedSize} bytes) overlaps the next entry or the directory at ${limit}`,
      );
    }
    return dataStart;
  };
  const open = (source: ByteSource): ByteSource => {
    const raw = subSource(source, start(source), compressedSize, file);
    budget.charge(size, `zip entry ${name} (${size} bytes)`);
    if (method === 0) return raw;
    let inflated: Uint8Array;
    try {
      inflated = inflateRawSync(raw.read(0, compressedSize), { maxOutputLength: Math.max(size, 1) });
    } catch (error) {
      throw new FileFormatError(file, `zip entry ${name} does not inflate: ${(error as Error).message}`);
    }
    if (inflated.length !== size)
      throw new FileFormatError(file, `zip entry ${name} inflates to ${inflated.length} bytes, not ${size}`);
    return new MemorySource(file, inflated);
  };
  return { name, method, compressedSize, size, localHeaderOffset, open, read: (source) => open(source).read(0, size) };
}

/**
 * Reads a zip file's central directory (zip64 included) with positioned reads; entries are opened
 * lazily, so nothing but the directory is read here. Entries whose bytes overlap (several names for
 * one stream, the classic way to multiply a bomb) are refused; what entries expand to is charged to
 * `budget`.
 */
export function readZipDirectory(
  source: ByteSource,
  budget = ReadBudget.forSize(source.name, source.size),
): ZipEntry[] {
  const file = source.name;
  const { tail, at, tailStart } = findEocd(source);
  const eocd = new ByteReader(new MemorySource(file, tail), at + 4);
  eocd.skip(6);
  let count = eocd.u16();
  let cdSize = eocd.u32();
  let cdOffset = eocd.u32();
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = tailStart + at - 20;
    if (locatorAt < 0) throw new FileFormatError(file, 'zip64 file without a zip64 locator');
    const locator = new ByteReader(source, locatorAt, locatorAt + 20);
    if (locator.u32() !== EOCD64_LOCATOR) throw new FileFormatError(file, 'zip64 file without a zip64 locator');
    locator.skip(4);
    const eocd64At = locator.u64();
    const eocd64 = new ByteReader(source, eocd64At, Math.min(source.size, eocd64At + 56));
    if (eocd64.u32() !== EOCD64) throw new FileFormatError(file, 'zip64 end of central directory is missing');
    eocd64.skip(28);
    count = eocd64.u64();
    cdSize = eocd64.u64();
    cdOffset = eocd64.u64();
  }
  if (cdOffset + cdSize > source.size) {
    throw new FileFormatError(
      file,
      `truncated zip: the central directory (offset ${cdOffset}, ${cdSize} bytes) lies past the end at ${source.size}`,
    );
  }
  if (count > cdSize / 46) throw new FileFormatError(file, `zip directory claims ${count} entries in ${cdSize} bytes`);
  const cd = new ByteReader(new MemorySource(file, source.read(cdOffset, cdSize)));
  const found: {
    name: string;
    nameLength: number;
    method: number;
    flags: number;
    compressedSize: number;
    size: number;
    localHeaderOffset: number;
  }[] = [];
  for (let k = 0; k < count; k++) {
    if (cd.u32() !== CENTRAL) throw new FileFormatError(file, `zip central directory entry ${k} is malformed`);
    cd.skip(4);
    const flags = cd.u16();
    const method = cd.u16();
    cd.skip(8);
    let compressedSize = cd.u32();
    let size = cd.u32();
    const nameLength = cd.u16();
    const extraLength = cd.u16();
    const commentLength = cd.u16();
    cd.skip(8);
    let localHeaderOffset = cd.u32();
    const name = cd.utf8(nameLength);
    const extraEnd = cd.pos + extraLength;
    cd.need(extraLength);
    while (cd.pos + 4 <= extraEnd) {
      const id = cd.u16();
      const length = cd.u16();
      const fieldEnd = cd.pos + length;
      if (fieldEnd > extraEnd) break;
      if (id === 0x0001) {
        // zip64 extra: only the fields whose 32-bit value overflowed, in this order.
        if (size === 0xffffffff && cd.pos + 8 <= fieldEnd) size = cd.u64();
        if (compressedSize === 0xffffffff && cd.pos + 8 <= fieldEnd) compressedSize = cd.u64();
        if (localHeaderOffset === 0xffffffff && cd.pos + 8 <= fieldEnd) localHeaderOffset = cd.u64();
      }
      cd.pos = fieldEnd;
    }
    cd.pos = extraEnd;
    cd.skip(commentLength);
    if (localHeaderOffset + 30 > source.size) {
      throw new FileFormatError(
        file,
        `truncated zip: entry ${name} starts at ${localHeaderOffset}, past the end at ${source.size}`,
      );
    }
    found.push({ name, nameLength, method, flags, compressedSize, size, localHeaderOffset });
  }
  // Each entry owns the bytes from its local header to the next one's (the directory ends the last).
  const starts = [...new Set(found.map((e) => e.localHeaderOffset))].sort((a, b) => a - b);
  if (starts.length < found.length)
    throw new FileFormatError(file, 'zip entries share a local header (overlapping entries)');
  const limitOf = new Map(
    starts.map((at, i) => [at, i + 1 < starts.length ? starts[i + 1] : at < cdOffset ? cdOffset : source.size]),
  );
  return found.map((e) => {
    const limit = limitOf.get(e.localHeaderOffset) as number;
    if (e.localHeaderOffset + 30 + e.nameLength + e.compressedSize > limit) {
      throw new FileFormatError(
        file,
        `zip entry ${e.name} (${e.compressedSize} bytes at ${e.localHeaderOffset}) overlaps the next entry or the directory`,
      );
    }
    return entryFor(e.name, e.method, e.flags, e.compressedSize, e.size, e.localHeaderOffset, file, budget, limit);
  });
}

export function findEntry(entries: ZipEntry[], name: string): ZipEntry | undefined {
  return entries.find((e) => e.name === name);
}
