import { closeSync, openSync, writeSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { TensorData } from '../../src-shared/tensor.ts';
import { contiguousStrides, product } from './dtypes.ts';
import { isTensor, PyBytes, PyDict, PyGlobal, PyObject, PySet, PyTuple, type PyKey, type PyValue } from './pyvalue.ts';
import { LEGACY_MAGIC, STORAGE_NAMES } from './torch.ts';

/**
 * Writers of the formats the readers read, as Python and torch write them: test fixtures, the demo
 * dataset and benchmark files. Large payloads (storages) are passed through as references, never copied.
 */

export type Protocol = 2 | 4;

/** A written pickle: small opcodes and large payloads in order, so big storages are never concatenated. */
type Chunks = Uint8Array[];

/** Frames hold up to this much in protocol 4; bigger byte payloads go outside frames, as CPython does. */
const FRAME_TARGET = 64 * 1024;

class ByteBuilder {
  private buf = new Uint8Array(256);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u16(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >>> 8) & 0xff);
  }
  u32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

const utf8 = new TextEncoder();

/** Bytes of a tensor's elements (little-endian, as every supported platform stores them). */
function tensorBytes(t: TensorData): Uint8Array {
  if (t.data.length !== product(t.shape))
    throw new Error(`tensor data holds ${t.data.length} elements, shape [${t.shape}] needs ${product(t.shape)}`);
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** How the pickler writes a tensor: torch zip persistent ids, or plain `pickle.dump` of a torch tensor. */
type TensorMode =
  | { kind: 'zip'; storages: Map<TensorData['data'], string>; payloads: Array<{ key: string; bytes: Uint8Array }> }
  | { kind: 'plain' }
  | { kind: 'none' };

class Pickler {
  private readonly out: Chunks = [];
  private readonly b = new ByteBuilder();
  private readonly memo = new Map<unknown, number>();
  private readonly frames: boolean;

  constructor(
    private readonly protocol: Protocol,
    private readonly tensors: TensorMode,
  ) {
    this.frames = protocol >= 4;
    this.out.push(Uint8Array.of(0x80, protocol));
  }

  /** Moves the builder's bytes into the output, wrapped in a FRAME in protocol 4. */
  private flush(): void {
    if (this.b.length === 0) return;
    const body = this.b.take();
    if (this.frames && body.length >= 4) {
      const head = new ByteBuilder();
      head.byte(0x95);
      head.u64(body.length);
      this.out.push(head.take());
    }
    this.out.push(body);
  }

  private maybeFlush(): void {
    if (this.frames && this.b.length >= FRAME_TARGET) this.flush();
  }

  /** Writes one opcode byte (for hand-built sequences such as a persistent id), memoizing its result if asked. */
  op(code: number, memoize = false): void {
    this.b.byte(code);
    if (memoize) this.put({});
  }

  finish(): Chunks {
    this.b.byte(0x2e); // STOP
    this.flush();
    return this.out;
  }

  private put(key: unknown): void {
    const index = this.memo.size;
    this.memo.set(key, index);
    if (this.protocol >= 4)
      this.b.byte(0x94); // MEMOIZE
    else if (index < 256) {
      this.b.byte(0x71); // BINPUT
      this.b.byte(index);
    } else {
      this.b.byte(0x72); // LONG_BINPUT
      this.b.u32(index);
    }
  }

  private get(key: unknown): boolean {
    const index = this.memo.get(key);
    if (index === undefined) return false;
    if (index < 256) {
      this.b.byte(0x68); // BINGET
      this.b.byte(index);
    } else {
      this.b.byte(0x6a); // LONG_BINGET
      this.b.u32(index);
    }
    return true;
  }

  private int(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 256) {
      this.b.byte(0x4b);
      this.b.byte(v);
    } else if (typeof v === 'number' && v >= 0 && v < 65536) {
      this.b.byte(0x4d);
      this.b.u16(v);
    } else if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      this.b.byte(0x4a);
      this.b.u32(v >>> 0);
    } else {
      // LONG1: minimal little-endian two's complement.
      let x = BigInt(v);
      const bytes: number[] = [];
      for (;;) {
        const byte = Number(x & 0xffn);
        bytes.push(byte);
        x >>= 8n;
        if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
      }
      this.b.byte(0x8a);
      this.b.byte(bytes.length);
      for (const byte of bytes) this.b.byte(byte);
    }
  }

  private float(v: number): void {
    this.b.byte(0x47);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, v, false);
    this.b.bytes(bytes);
  }

  private str(s: string): void {
    if (this.get(`s:${s}`)) return;
    const bytes = utf8.encode(s);
    if (this.protocol >= 4 && bytes.length < 256) {
      this.b.byte(0x8c);
      this.b.byte(bytes.length);
    } else {
      this.b.byte(0x58);
      this.b.u32(bytes.length);
    }
    this.b.bytes(bytes);
    this.put(`s:${s}`);
  }

  global(module: string, name: string): void {
    const key = `g:${module}.${name}`;
    if (this.get(key)) return;
    if (this.protocol >= 4) {
      this.str(module);
      this.str(name);
      this.b.byte(0x93); // STACK_GLOBAL
    } else {
      // Protocol ≤ 2 carries Python 2 module names, as pickle's fix_imports writes them.
      const mod = module === 'builtins' ? '__builtin__' : module === 'copyreg' ? 'copy_reg' : module;
      this.b.byte(0x63);
      this.b.bytes(utf8.encode(`${mod}\n${name}\n`));
    }
    this.put(key);
  }

  /** Large byte payloads are passed through as their own chunk (protocol 4) instead of being copied. */
  private bytes(data: Uint8Array | Uint8Array[], key: unknown): void {
    if (this.get(key)) return;
    const parts = Array.isArray(data) ? data : [data];
    const length = parts.reduce((n, p) => n + p.length, 0);
    if (this.protocol >= 4) {
      if (length < 256) {
        this.b.byte(0x43);
        this.b.byte(length);
      } else if (length < 2 ** 32) {
        this.b.byte(0x42);
        this.b.u32(length);
      } else {
        this.b.byte(0x8e);
        this.b.u64(length);
      }
      if (length >= FRAME_TARGET) {
        this.flush();
        this.out.push(...parts);
      } else for (const p of parts) this.b.bytes(p);
    } else {
      // Protocol 2 has no bytes opcode: CPython writes _codecs.encode(<latin-1 text>, 'latin1'), the
      // text as UTF-8 (bytes ≥ 0x80 take two), built here straight from the bytes.
      this.global('_codecs', 'encode');
      let utf8Length = length;
      for (const p of parts) for (let i = 0; i < p.length; i++) if (p[i] >= 0x80) utf8Length++;
      const text = new Uint8Array(utf8Length);
      let o = 0;
      for (const p of parts) {
        for (let i = 0; i < p.length; i++) {
          const c = p[i];
          if (c < 0x80) text[o++] = c;
          else {
            text[o++] = 0xc0 | (c >> 6);
            text[o++] = 0x80 | (c & 0x3f);
          }
        }
      }
      this.b.byte(0x58); // BINUNICODE
      this.b.u32(utf8Length);
      if (utf8Length >= FRAME_TARGET) {
        this.flush();
        this.out.push(text);
      } else this.b.bytes(text);
      this.put({});
      this.str('latin1');
      this.b.byte(0x86); // TUPLE2
      this.put({});
      this.b.byte(0x52); // REDUCE
    }
    this.put(key);
  }

  private tuple(items: readonly PyValue[], key?: unknown): void {
    if (key !== undefined && this.get(key)) return;
    if (items.length === 0) this.b.byte(0x29);
    else if (items.length <= 3) {
      for (const item of items) this.save(item);
      this.b.byte(0x84 + items.length); // TUPLE1..3
    } else {
      this.b.byte(0x28);
      for (const item of items) this.save(item);
      this.b.byte(0x74);
    }
    if (items.length > 0) this.put(key ?? {});
  }

  private emptyOrderedDict(): void {
    this.global('collections', 'OrderedDict');
    this.b.byte(0x29);
    this.b.byte(0x52);
    this.put({});
  }

  private dictItems(entries: Iterable<[PyKey, PyValue]>): void {
    const all = [...entries];
    for (let i = 0; i < all.length; i += 1000) {
      const batch = all.slice(i, i + 1000);
      if (batch.length > 1) this.b.byte(0x28);
      for (const [k, v] of batch) {
        this.save(k);
        this.save(v);
        this.maybeFlush();
      }
      this.b.byte(batch.length > 1 ? 0x75 : 0x73); // SETITEMS / SETITEM
    }
  }

  private tensor(t: TensorData): void {
    if (this.get(t)) return;
    const mode = this.tensors;
    if (mode.kind === 'none')
      throw new Error('tensors can only be pickled by writeTorchZip or writePlainPickleWithTensors');
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.b.byte(0x28);
    if (mode.kind === 'zip') {
      let key = mode.storages.get(t.data);
      if (key === undefined) {
        key = String(mode.storages.size);
        mode.storages.set(t.data, key);
        mode.payloads.push({ key, bytes: tensorBytes(t) });
      }
      // Persistent id ('storage', torch.<Type>Storage, key, 'cpu', numel), as torch.save writes it.
      this.b.byte(0x28);
      this.str('storage');
      this.global('torch', STORAGE_NAMES[t.dtype]);
      this.str(key);
      this.str('cpu');
      this.int(t.data.length);
      this.b.byte(0x74);
      this.put({});
      this.b.byte(0x51); // BINPERSID
    } else {
      // torch.storage._load_from_bytes(<legacy torch.save of the storage>).
      this.global('torch.storage', '_load_from_bytes');
      this.bytes(legacyStorageBlob(t), {});
      this.b.byte(0x85);
      this.put({});
      this.b.byte(0x52);
      this.put({});
    }
    this.int(0);
    this.tuple(t.shape);
    this.tuple(contiguousStrides(t.shape));
    this.b.byte(0x89); // requires_grad False
    this.emptyOrderedDict();
    this.b.byte(0x74);
    this.put({});
    this.b.byte(0x52);
    this.put(t);
  }

  save(value: PyValue): void {
    if (value === null) this.b.byte(0x4e);
    else if (value === true) this.b.byte(0x88);
    else if (value === false) this.b.byte(0x89);
    else if (typeof value === 'bigint') this.int(value);
    else if (typeof value === 'number') {
      if (Number.isInteger(value) && !Object.is(value, -0) && Math.abs(value) <= 2 ** 53) this.int(value);
      else this.float(value);
    } else if (typeof value === 'string') this.str(value);
    else if (value instanceof PyBytes) this.bytes(value.bytes, value);
    else if (value instanceof PyTuple) this.tuple(value.items, value);
    else if (Array.isArray(value)) {
      if (this.get(value)) return;
      this.b.byte(0x5d);
      this.put(value);
      for (let i = 0; i < value.length; i += 1000) {
        const batch = value.slice(i, i + 1000);
        if (batch.length > 1) this.b.byte(0x28);
        for (const item of batch) {
          this.save(item);
          this.maybeFlush();
        }
        this.b.byte(batch.length > 1 ? 0x65 : 0x61); // APPENDS / APPEND
      }
    } else if (value instanceof PyDict) {
      if (this.get(value)) return;
      if (value.pyClass === 'builtins.dict') this.b.byte(0x7d);
      else {
        const [module, name] = splitName(value.pyClass);
        this.global(module, name);
        this.b.byte(0x29);
        this.b.byte(0x52);
      }
      this.put(value);
      this.dictItems(value.entries);
      if (value.attributes !== null) {
        this.save(value.attributes);
        this.b.byte(0x62); // BUILD
      }
    } else if (value instanceof PySet) {
      if (this.get(value)) return;
      this.global('builtins', value.frozen ? 'frozenset' : 'set');
      this.b.byte(0x5d);
      this.b.byte(0x28);
      for (const item of value.items) this.save(item);
      this.b.byte(0x65);
      this.b.byte(0x85);
      this.b.byte(0x52);
      this.put(value);
    } else if (value instanceof PyGlobal) this.global(value.module, value.name);
    else if (value instanceof PyObject) throw new Error(`cannot pickle a placeholder of ${value.pyClass}`);
    else if (isTensor(value)) this.tensor(value);
    this.maybeFlush();
  }
}

function splitName(full: string): [string, string] {
  const dot = full.lastIndexOf('.');
  return [full.slice(0, dot), full.slice(dot + 1)];
}

function pickleChunks(value: PyValue, protocol: Protocol, tensors: TensorMode): Chunks {
  const p = new Pickler(protocol, tensors);
  p.save(value);
  return p.finish();
}

function concat(chunks: Chunks): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Pickles plain data (None, bools, numbers, bigints, str, PyBytes, lists, tuples, dicts, sets). */
export function pickleValue(value: PyValue, protocol: Protocol = 2): Uint8Array {
  return concat(pickleChunks(value, protocol, { kind: 'none' }));
}

/** `torch.save(storage, _use_new_zipfile_serialization=False)` of one tensor's storage, as parts. */
function legacyStorageBlob(t: TensorData): Uint8Array[] {
  const small = (v: PyValue): Uint8Array => pickleValue(v, 2);
  const sysInfo = new PyDict();
  sysInfo.entries.set('protocol_version', 1001);
  sysInfo.entries.set('little_endian', true);
  const sizes = new PyDict();
  sizes.entries.set('short', 2);
  sizes.entries.set('int', 4);
  sizes.entries.set('long', 4);
  sysInfo.entries.set('type_sizes', sizes);
  // The object pickle is just the storage's persistent id: ('storage', type, key, 'cpu', numel, None).
  const p = new Pickler(2, { kind: 'none' });
  p.op(0x28); // MARK
  p.save('storage');
  p.global('torch', STORAGE_NAMES[t.dtype]);
  p.save('0');
  p.save('cpu');
  p.save(t.data.length);
  p.save(null);
  p.op(0x74, true); // TUPLE
  p.op(0x51); // BINPERSID
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(t.data.length), true);
  return [small(LEGACY_MAGIC), small(1001), small(sysInfo), concat(p.finish()), small(['0']), count, tensorBytes(t)];
}

function writeChunks(fd: number, chunks: Chunks): void {
  for (const c of chunks) {
    let done = 0;
    while (done < c.length) done += writeSync(fd, c, done, Math.min(c.length - done, 1 << 30));
  }
}

/**
 * `pickle.dump(value, f, protocol)` of data holding torch tensors: each tensor is
 * `_rebuild_tensor_v2(_load_from_bytes(<legacy blob>), 0, size, stride, False, OrderedDict())`.
 */
export async function writePlainPickleWithTensors(
  path: string,
  value: PyValue,
  options: { protocol?: Protocol } = {},
): Promise<void> {
  const chunks = pickleChunks(value, options.protocol ?? 4, { kind: 'plain' });
  const fd = openSync(path, 'w');
  try {
    writeChunks(fd, chunks);
  } finally {
    closeSync(fd);
  }
}

/** Adds zip entries to a file with 64-byte aligned data, as torch's writer does; zip64 where sizes need it. */
class ZipWriter {
  private offset = 0;
  private readonly central: Uint8Array[] = [];
  private count = 0;

  constructor(
    private readonly fd: number,
    private readonly forceZip64: boolean,
  ) {}

  private write(bytes: Uint8Array): void {
    writeChunks(this.fd, [bytes]);
    this.offset += bytes.length;
  }

  add(name: string, parts: Uint8Array[]): void {
    const nameBytes = utf8.encode(name);
    const size = parts.reduce((n, p) => n + p.length, 0);
    let crc = 0;
    for (const p of parts) crc = crc32(p, crc);
    const headerOffset = this.offset;
    const zip64 = this.forceZip64 || size >= 0xffffffff || headerOffset >= 0xffffffff;
    const local = new ByteBuilder();
    local.u32(0x04034b50);
    local.u16(zip64 ? 45 : 20);
    local.u16(0x0800); // UTF-8 names
    local.u16(0); // STORED
    local.u32(0); // time, date
    local.u32(crc >>> 0);
    local.u32(zip64 ? 0xffffffff : size);
    local.u32(zip64 ? 0xffffffff : size);
    local.u16(nameBytes.length);
    const zip64Extra = zip64 ? 20 : 0;
    const unpadded = headerOffset + 30 + nameBytes.length + zip64Extra + 4;
    const pad = (64 - (unpadded % 64)) % 64;
    local.u16(zip64Extra + 4 + pad);
    local.bytes(nameBytes);
    if (zip64) {
      local.u16(0x0001);
      local.u16(16);
      local.u64(size);
      local.u64(size);
    }
    // torch's 'FB' padding field puts the data at a multiple of 64 bytes.
    local.u16(0x4246);
    local.u16(pad);
    local.bytes(new Uint8Array(pad).fill(0x5a));
    this.write(local.take());
    for (const p of parts) this.write(p);

    const cd = new ByteBuilder();
    cd.u32(0x02014b50);
    cd.u16(zip64 ? 45 : 20);
    cd.u16(zip64 ? 45 : 20);
    cd.u16(0x0800);
    cd.u16(0);
    cd.u32(0);
    cd.u32(crc >>> 0);
    cd.u32(zip64 ? 0xffffffff : size);
    cd.u32(zip64 ? 0xffffffff : size);
    cd.u16(nameBytes.length);
    cd.u16(zip64 ? 28 : 0);
    cd.u16(0); // comment
    cd.u16(0); // disk
    cd.u16(0); // internal attributes
    cd.u32(0); // external attributes
    cd.u32(zip64 ? 0xffffffff : headerOffset);
    cd.bytes(nameBytes);
    if (zip64) {
      cd.u16(0x0001);
      cd.u16(24);
      cd.u64(size);
      cd.u64(size);
      cd.u64(headerOffset);
    }
    this.central.push(cd.take());
    this.count++;
  }

  finish(): void {
    const cdOffset = this.offset;
    const cdSize = this.central.reduce((n, c) => n + c.length, 0);
    for (const c of this.central) this.write(c);
    const zip64 = this.forceZip64 || cdOffset + cdSize >= 0xffffffff || this.count >= 0xffff;
    const end = new ByteBuilder();
    if (zip64) {
      const eocd64At = this.offset;
      end.u32(0x06064b50);
      end.u64(44);
      end.u16(45);
      end.u16(45);
      end.u32(0);
      end.u32(0);
      end.u64(this.count);
      end.u64(this.count);
      end.u64(cdSize);
      end.u64(cdOffset);
      end.u32(0x07064b50);
      end.u32(0);
      end.u64(eocd64At);
      end.u32(1);
    }
    end.u32(0x06054b50);
    end.u16(0);
    end.u16(0);
    end.u16(zip64 ? 0xffff : this.count);
    end.u16(zip64 ? 0xffff : this.count);
    end.u32(zip64 ? 0xffffffff : cdSize);
    end.u32(zip64 ? 0xffffffff : cdOffset);
    end.u16(0);
    this.write(end.take());
  }
}

/**
 * `torch.save(value, path)` in the zip format: `<name>/data.pkl` (protocol 2, tensors as persistent
 * ids), `<name>/data/<key>` per storage (64-byte aligned), `<name>/version`. `name` defaults to the
 * file's stem, as torch does.
 */
export async function writeTorchZip(
  path: string,
  value: PyValue,
  options: { name?: string; forceZip64?: boolean } = {},
): Promise<void> {
  const name = options.name ?? (basename(path, extname(path)).replace(/[^\w.-]/g, '_') || 'archive');
  const mode: TensorMode = { kind: 'zip', storages: new Map(), payloads: [] };
  const pkl = pickleChunks(value, 2, mode);
  const fd = openSync(path, 'w');
  try {
    const zip = new ZipWriter(fd, options.forceZip64 ?? false);
    zip.add(`${name}/data.pkl`, pkl);
    for (const { key, bytes } of mode.payloads) zip.add(`${name}/data/${key}`, [bytes]);
    zip.add(`${name}/version`, [utf8.encode('3\n')]);
    zip.finish();
  } finally {
    closeSync(fd);
  }
}
