import { FileFormatError } from '../errors.ts';
import { makeResolver, type PlaceholderMode } from './globals.ts';
import { readNpy, readNpz } from './numpy.ts';
import { unpickle } from './pickle.ts';
import type { PyValue } from './pyvalue.ts';
import { looksLikeSafetensors, readSafetensors } from './safetensors.ts';
import { ByteReader, FileSource, MemorySource, ReadBudget, type ByteSource, type ReadProgress } from './source.ts';
import { isLegacyTorchHeader, readTorchLegacy, readTorchZip } from './torch.ts';
import { readZipDirectory } from './zip.ts';

export interface ReadOptions {
  /** 'result-file': classes the original's result files reference become inert PyObject records. Default 'none'. */
  placeholders?: PlaceholderMode;
  /** Bytes read so far, as the file is read (readPythonFile). */
  onRead?: ReadProgress;
  /** What the file may expand to in all (inflated entries, tensors read, copies); default ReadBudget.forSize. */
  budget?: ReadBudget;
  /**
   * Leave large arrays stored raw and little-endian in the file (torch storages, numpy buffers in C
   * order) unread: they read themselves on first use of `data`, and `deferredRange` says where they
   * lie, so a reader can stream them instead of holding them.
   */
  deferArrays?: boolean;
}

/** The containers `decodePythonSource` recognises by their first bytes (a zip is a torch file or an npz). */
export type FileKind = 'zip' | 'torch-legacy' | 'pickle' | 'npy' | 'safetensors';

export function sniffFormat(source: ByteSource): FileKind {
  const file = source.name;
  if (source.size === 0) throw new FileFormatError(file, 'empty file');
  const head = source.read(0, Math.min(16, source.size));
  if (head[0] === 0x50 && head[1] === 0x4b) return 'zip';
  if (head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'npy';
  if (isLegacyTorchHeader(head)) return 'torch-legacy';
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'pickle';
  if (looksLikeSafetensors(head, source.size)) return 'safetensors';
  throw new FileFormatError(file, 'not a pickle (protocol 2–5), torch, .npy, .npz or .safetensors file');
}

/** Decodes whatever Python data format `source` holds (see readPythonFile). */
export function decodePythonSource(source: ByteSource, options: ReadOptions = {}): PyValue {
  const resolveGlobal = makeResolver(options.placeholders ?? 'none');
  const budget = options.budget ?? ReadBudget.forSize(source.name, source.size);
  try {
    switch (sniffFormat(source)) {
      case 'zip': {
        const entries = readZipDirectory(source, budget);
        if (entries.some((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl')))
          return readTorchZip(source, entries, resolveGlobal, budget, options.deferArrays === true);
        if (entries.some((e) => e.name.endsWith('.npy'))) return readNpz(source, entries);
        throw new FileFormatError(source.name, 'zip file holds neither data.pkl (torch) nor .npy entries (npz)');
      }
      case 'npy':
        return readNpy(source);
      case 'torch-legacy':
        return readTorchLegacy(new ByteReader(source), resolveGlobal, budget, options.deferArrays === true);
      case 'pickle':
        return unpickle(new ByteReader(source), { resolveGlobal, budget, deferArrays: options.deferArrays });
      case 'safetensors':
        return readSafetensors(source, budget);
    }
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    // Allocation failures on absurd sizes and the like: still the reader's own error, naming the file.
    throw new FileFormatError(source.name, `cannot decode: ${(error as Error).message}`);
  }
}

/**
 * Reads a pickle / torch (zip or legacy) / .npy / .npz / .safetensors file, sniffing the format from
 * its bytes. Tensors and arrays come out as TensorData, reading each storage once into a buffer of its
 * own. Throws FileFormatError (naming the file) for anything malformed or not allow-listed.
 */
export async function readPythonFile(path: string, options: ReadOptions = {}): Promise<PyValue> {
  const source = FileSource.open(path, options.onRead);
  try {
    return decodePythonSource(source, options);
  } finally {
    source.close();
  }
}

/** Decodes in-memory bytes as if they were the file `name`. */
export function decodePythonBytes(bytes: Uint8Array, name: string, options: ReadOptions = {}): PyValue {
  return decodePythonSource(new MemorySource(name, bytes), options);
}

export { tensorToNumberArray, toFloat32, toIntArray } from './convert.ts';
export { deferredRange, type FileRange } from './deferred.ts';
