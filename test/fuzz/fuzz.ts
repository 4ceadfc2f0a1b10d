/**
 * The readers' fuzz suite: per format, seeds generated at test time (plus the torch- and numpy-written
 * fixtures, and files a local PyTorch writes when there is one), byte-level mutants of them and
 * structure-aware hostile cases (bombs, overlaps, zero-size dimensions, exponential pickles, lying
 * lengths). Every case must end, within a time and memory bound, either decoded or refused with a
 * FileFormatError naming the file; anything else (another error, the readers' catch-all "cannot
 * decode", too slow, too much memory) is a finding. Outcomes are counted per format and category.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileFormatError } from '../../src-main/errors.ts';
import { formatInspectText, toInspectJson } from '../../src-main/formats/describe.ts';
import { PyDict, PyTuple, type PyValue } from '../../src-main/formats/pyvalue.ts';
import { decodePythonBytes } from '../../src-main/formats/read.ts';
import { pickleValue, writePlainPickleWithTensors, writeTorchZip } from '../../src-main/formats/write.ts';
import { Rng } from '../../src-shared/rng.ts';
import type { TensorData } from '../../src-shared/tensor.ts';
import { buildNpy, buildSafetensors, buildZip, SELF_REFERENCING_KEY, sharedKeyDag } from '../support/hostile-files.ts';

export const FORMATS = ['pickle', 'torch-zip', 'torch-legacy', 'npy', 'npz', 'safetensors'] as const;
export type Format = (typeof FORMATS)[number];
export type Category = 'mutant' | 'hostile';
export type Outcome = 'decoded' | 'refused' | 'bug' | 'slow' | 'memory';

/** A case taking longer than this, or raising the process's peak memory by more, is a finding. */
export const CASE_TIME_LIMIT_MS = 2000;
export const CASE_MEMORY_LIMIT_BYTES = 512 * 2 ** 20;

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/formats');

export interface Seeds {
  byFormat: Record<Format, Uint8Array[]>;
  /** Why no PyTorch-written seeds were added, when they were not. */
  torchNote: string | null;
}

function dict(entries: Record<string, PyValue>): PyDict {
  const d = new PyDict();
  for (const [k, v] of Object.entries(entries)) d.entries.set(k, v);
  return d;
}

function tensor(rng: Rng, shape: number[]): TensorData {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => rng.nextFloat() - 0.5) };
}

/** Files PyTorch itself writes, when this machine has it (`python3 -c 'import torch'`). */
function torchWritten(dir: string): { files: Record<'torch-zip' | 'torch-legacy', string[]>; note: string | null } {
  const script = `
import sys, torch
d = sys.argv[1]
x = torch.arange(24, dtype=torch.float32).reshape(4, 6)
v = {'feats': x, 'view': x.t()[1:], 'labels': torch.tensor([0, 1, 2, 3]), 'empty': torch.zeros(5, 0)}
torch.save(v, d + '/zip.pt')
torch.save(v, d + '/legacy.pt', _use_new_zipfile_serialization=False)
`;
  try {
    execFileSync('python3', ['-c', script, dir], { stdio: 'pipe', timeout: 60_000 });
    return {
      files: { 'torch-zip': [path.join(dir, 'zip.pt')], 'torch-legacy': [path.join(dir, 'legacy.pt')] },
      note: null,
    };
  } catch (error) {
    const reason = String((error as { stderr?: Buffer }).stderr ?? error)
      .trim()
      .split('\n')
      .at(-1);
    return {
      files: { 'torch-zip': [], 'torch-legacy': [] },
      note: `no PyTorch-written seeds (python3 with torch: ${reason}); the committed fixtures stand in`,
    };
  }
}

/** Seeds of every format: generated here, the committed fixtures, and PyTorch's own files when available. */
export async function makeSeeds(seed = 1): Promise<Seeds> {
  const rng = Rng.fromSeed(seed, 'fuzz-seeds');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-fuzz-'));
  try {
    const value = dict({ feats: tensor(rng, [6, 4]), labels: [0, 1, 2, 3, 4, 5], meta: new PyTuple(['x', 1.5, null]) });
    const byFormat: Record<Format, Uint8Array[]> = {
      pickle: [],
      'torch-zip': [],
      'torch-legacy': [],
      npy: [],
      npz: [],
      safetensors: [],
    };
    const keyed = new PyDict();
    keyed.entries.set('(1, 2)', 'tuple key');
    byFormat.pickle.push(
      pickleValue(dict({ a: [1, 2.5, 'ü', true, null], b: new PyTuple([-(2 ** 40), 2 ** 31]), c: keyed }), 2),
    );
    byFormat.pickle.push(pickleValue(dict({ a: [1, 2.5, 'ü'], b: new PyTuple([1, 2]) }), 4));
    const plain = path.join(dir, 'plain.pkl');
    await writePlainPickleWithTensors(plain, value, { protocol: 2 });
    byFormat.pickle.push(fs.readFileSync(plain));
    const zip = path.join(dir, 'archive.pt');
    await writeTorchZip(zip, value);
    byFormat['torch-zip'].push(fs.readFileSync(zip));
    const f32 = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
    byFormat.npy.push(buildNpy([2, 3], '<f4', f32), buildNpy([4], '<i8', new Uint8Array(32)));
    byFormat.npz.push(
      buildZip([
        { name: 'feats.npy', data: buildNpy([2, 3], '<f4', f32) },
        { name: 'labels.npy', data: buildNpy([2], '<i8', new Uint8Array(16)), deflate: true },
      ]),
    );
    byFormat.safetensors.push(
      buildSafetensors(
        { w: { dtype: 'F32', shape: [2, 2], offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], offsets: [16, 24] } },
        24,
      ),
    );
    for (const name of fs.readdirSync(FIXTURES)) {
      const bytes = fs.readFileSync(path.join(FIXTURES, name));
      if (name.endsWith('.npy')) byFormat.npy.push(bytes);
      else if (name.endsWith('.npz')) byFormat.npz.push(bytes);
      else if (name.endsWith('.safetensors')) byFormat.safetensors.push(bytes);
      else if (name.includes('legacy')) byFormat['torch-legacy'].push(bytes);
      else if (/\.(pth|pt)$/.test(name) || name.endsWith('_zip.pkl')) byFormat['torch-zip'].push(bytes);
      else if (name.endsWith('.pkl')) byFormat.pickle.push(bytes);
    }
    const torch = torchWritten(dir);
    for (const format of ['torch-zip', 'torch-legacy'] as const)
      for (const file of torch.files[format]) byFormat[format].push(fs.readFileSync(file));
    // Plain copies: Buffer#slice is a view, and a mutant must never edit its seed.
    for (const format of FORMATS) byFormat[format] = byFormat[format].map((b) => new Uint8Array(b));
    return { byFormat, torchNote: torch.note };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** 1–4 byte-level edits: set a byte, flip a bit, cut, insert junk, repeat a range, or plant a huge length. */
export function mutate(original: Uint8Array, rng: Rng): Uint8Array {
  let bytes: Uint8Array = new Uint8Array(original);
  const edits = 1 + rng.nextInt(4);
  for (let e = 0; e < edits && bytes.length > 0; e++) {
    const at = rng.nextInt(bytes.length);
    const kind = rng.nextInt(100);
    if (kind < 45) bytes[at] = rng.nextInt(256);
    else if (kind < 65) bytes[at] ^= 1 << rng.nextInt(8);
    else if (kind < 72) bytes = bytes.slice(0, at);
    else if (kind < 80) {
      const junk = Uint8Array.from({ length: 1 + rng.nextInt(16) }, () => rng.nextInt(256));
      bytes = concat([bytes.subarray(0, at), junk, bytes.subarray(at)]);
    } else if (kind < 88) {
      const len = Math.min(bytes.length - at, 1 + rng.nextInt(64));
      bytes = concat([bytes.subarray(0, at + len), bytes.subarray(at, at + len), bytes.subarray(at + len)]);
    } else if (at + 4 <= bytes.length) {
      // A length or offset field grown to something absurd.
      const big = [0xffffffff, 0x7fffffff, 0x40000000, 0x10000][rng.nextInt(4)];
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, big, true);
    }
  }
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A structure-aware hostile input of `format`, with random sizes. */
export function hostile(format: Format, rng: Rng, seeds: Uint8Array[]): Uint8Array {
  const big = () => [2 ** 31, 2 ** 40, 1e8, 2 ** 53][rng.nextInt(4)];
  switch (format) {
    case 'pickle': {
      switch (rng.nextInt(5)) {
        case 0:
          return SELF_REFERENCING_KEY;
        case 1:
          return sharedKeyDag(1 + rng.nextInt(60));
        case 2: {
          // MARKs nested deep, never closed.
          const depth = 1 + rng.nextInt(200_000);
          return concat([new Uint8Array([0x80, 0x02]), new Uint8Array(depth).fill(0x28), new Uint8Array([0x4e, 0x2e])]);
        }
        case 3: {
          // BINUNICODE8 / BINBYTES8 claiming far more than the file holds.
          const head = new Uint8Array([0x80, 0x04, rng.nextInt(2) ? 0x8d : 0x8e, 0, 0, 0, 0, 0, 0, 0, 0]);
          new DataView(head.buffer).setBigUint64(3, BigInt(big()), true);
          return concat([head, new Uint8Array([0x2e])]);
        }
        default: {
          // A list appended to itself many times, then used as a tuple member of a key.
          const n = 1 + rng.nextInt(1000);
          return concat([
            new Uint8Array([0x80, 0x02, 0x7d, 0x5d, 0x71, 0, 0x28]),
            new Uint8Array(2 * n).map((_, i) => (i % 2 ? 0 : 0x68)),
            new Uint8Array([0x65, 0x85, 0x4e, 0x73, 0x2e]),
          ]);
        }
      }
    }
    case 'npy':
      return buildNpy(
        rng.nextInt(2) ? [big(), 0] : [0, big(), rng.nextInt(5)],
        ['<f4', '<f8', '<i8', '|u1'][rng.nextInt(4)],
      );
    case 'safetensors': {
      const n = 1 + rng.nextInt(40);
      const size = 16 * (1 + rng.nextInt(64));
      const tensors: Record<string, { dtype: string; shape: number[]; offsets: [number, number] }> = {};
      for (let i = 0; i < n; i++) {
        const zero = rng.nextInt(3) === 0;
        tensors[`t${i}`] = zero
          ? { dtype: 'F32', shape: [big(), 0], offsets: [0, 0] }
          : { dtype: 'F32', shape: [size / 4], offsets: [0, size] };
      }
      return buildSafetensors(tensors, size);
    }
    case 'npz':
    case 'torch-zip': {
      const inner = format === 'npz' ? buildNpy([1 + rng.nextInt(8)]) : pickleValue(1);
      const name = format === 'npz' ? 'a.npy' : 'archive/data.pkl';
      const kind = rng.nextInt(3);
      if (kind === 0) {
        // One stream under several names.
        const copies = 2 + rng.nextInt(40);
        return buildZip([
          { name, data: inner, deflate: true },
          ...Array.from({ length: copies }, (_, i) => ({ name: `x${i}.npy`, data: inner, shareWith: 0 })),
        ]);
      }
      if (kind === 1) return buildZip([{ name, data: inner, deflate: true, declaredSize: big() >>> 0 || 0xffffffff }]);
      // A real (small) bomb: up to 8 MiB of zeros behind a deflated entry of a few kB.
      const zeros = new Uint8Array((1 + rng.nextInt(8)) * 2 ** 20);
      return buildZip([{ name, data: concat([inner, zeros]), deflate: true }]);
    }
    case 'torch-legacy': {
      // The seed's tail (storage counts and data) cut or its element counts grown.
      const seed = seeds[rng.nextInt(seeds.length)];
      const bytes = new Uint8Array(seed.subarray(0, seed.length - rng.nextInt(Math.min(seed.length, 256))));
      const at = bytes.length - 8 - rng.nextInt(Math.max(1, Math.min(bytes.length - 8, 512)));
      if (at >= 0) new DataView(bytes.buffer).setBigUint64(at, BigInt(big()), true);
      return bytes;
    }
  }
}

export interface CaseResult {
  format: Format;
  category: Category;
  outcome: Outcome;
  ms: number;
  detail: string;
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Decodes one input and classifies what happened. */
export function runCase(format: Format, category: Category, bytes: Uint8Array, index: number): CaseResult {
  const name = `fuzz-${format}-${category}-${index}`;
  const peak = peakRss();
  const start = performance.now();
  let outcome: Outcome;
  let detail = '';
  try {
    // What `alphanet inspect` does with it, too: rendering must be bounded as well (empty tensors of huge shapes).
    const value = decodePythonBytes(bytes, name, { placeholders: index % 2 === 0 ? 'none' : 'result-file' });
    formatInspectText(value);
    toInspectJson(value);
    outcome = 'decoded';
  } catch (error) {
    // The readers' own checks must catch the damage: the catch-all ("cannot decode …") means an
    // internal error (a TypeError, an allocation failure) slipped through.
    const own =
      error instanceof FileFormatError && error.message.startsWith(name) && !/cannot decode/.test(error.message);
    outcome = own ? 'refused' : 'bug';
    detail = String(error).slice(0, 300);
  }
  const ms = performance.now() - start;
  const grew = peakRss() - peak;
  if (outcome !== 'bug' && ms > CASE_TIME_LIMIT_MS) outcome = 'slow';
  if (outcome !== 'bug' && grew > CASE_MEMORY_LIMIT_BYTES) outcome = 'memory';
  return { format, category, outcome, ms, detail: detail || `${(grew / 2 ** 20).toFixed(0)} MiB more peak memory` };
}

export interface FuzzReport {
  counts: Record<Format, Record<Category, Record<Outcome, number>>>;
  findings: CaseResult[];
  slowestMs: number;
}

/** `mutants` byte-level mutants and `hostiles` hostile cases per format, from a seeded generator. */
export function fuzz(seeds: Seeds, mutants: number, hostiles: number, seed = 20240611): FuzzReport {
  const rng = Rng.fromSeed(seed, 'fuzz');
  const zero = (): Record<Outcome, number> => ({ decoded: 0, refused: 0, bug: 0, slow: 0, memory: 0 });
  const counts = Object.fromEntries(
    FORMATS.map((f) => [f, { mutant: zero(), hostile: zero() }]),
  ) as FuzzReport['counts'];
  const findings: CaseResult[] = [];
  let slowestMs = 0;
  for (const format of FORMATS) {
    const pool = seeds.byFormat[format];
    for (let i = 0; i < mutants + hostiles; i++) {
      const category: Category = i < mutants ? 'mutant' : 'hostile';
      const bytes = category === 'mutant' ? mutate(pool[rng.nextInt(pool.length)], rng) : hostile(format, rng, pool);
      const result = runCase(format, category, bytes, i);
      counts[format][category][result.outcome]++;
      slowestMs = Math.max(slowestMs, result.ms);
      if (result.outcome === 'bug' || result.outcome === 'slow' || result.outcome === 'memory') findings.push(result);
    }
  }
  return { counts, findings, slowestMs };
}

/** The counts as a Markdown table (the README's reliability section shows one). */
export function countsTable(report: FuzzReport): string {
  const rows = [
    '| format | cases | decoded | refused (FileFormatError) | bug | too slow | too much memory |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const format of FORMATS) {
    for (const category of ['mutant', 'hostile'] as const) {
      const c = report.counts[format][category];
      const total = Object.values(c).reduce((a, b) => a + b, 0);
      rows.push(
        `| ${format} (${category}s) | ${total} | ${c.decoded} | ${c.refused} | ${c.bug} | ${c.slow} | ${c.memory} |`,
      );
    }
  }
  return rows.join('\n');
}
