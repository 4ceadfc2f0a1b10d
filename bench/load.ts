/**
 * Feature-file load benchmark: a float32 feature matrix (default 1 GiB) written as a torch zip file
 * and as a plain pickle of a torch tensor (protocols 4 and 2), by our writer and, when /usr/bin/python3 has
 * torch, by torch itself. Each file is loaded in a fresh child process (so peak RSS does not mix)
 * and compared with a plain fs.readFileSync of the same bytes in another fresh child.
 * Goals: load ≤ 2× the raw read, peak RSS ≤ 1.5× the file size.
 * Run: node bin/run-ts.mjs bench/load.ts [SIZE]   (SIZE like 256M or 1G; or env BENCH_SIZE)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTensor, PyDict } from '../src-main/formats/pyvalue.ts';
import { readPythonFile } from '../src-main/formats/read.ts';
import { writePlainPickleWithTensors, writeTorchZip } from '../src-main/formats/write.ts';

const DIM = 512;
const RUNS = 3;

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`bad size '${text}' (use e.g. 256M or 1G)`);
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * unit);
}

interface Measurement {
  ms: number;
  maxRssBytes: number;
}

/** Child mode: `--child raw|load FILE` measures one read and prints a JSON Measurement. */
async function child(kind: string, file: string): Promise<void> {
  const start = performance.now();
  if (kind === 'raw') {
    const bytes = fs.readFileSync(file);
    if (bytes.length === 0) throw new Error('empty');
  } else if (kind === 'load') {
    const value = await readPythonFile(file);
    const feats = value instanceof PyDict ? value.get('feats') : undefined;
    if (!isTensor(feats)) throw new Error('no feats tensor');
  }
  const ms = performance.now() - start;
  // maxRSS is in kilobytes.
  process.stdout.write(
    JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 } satisfies Measurement),
  );
}

function runSelf(args: string[]): string {
  return execFileSync(
    process.execPath,
    [path.join(import.meta.dirname, '../bin/run-ts.mjs'), import.meta.filename, ...args],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}

function runChild(kind: string, file: string): Measurement {
  return JSON.parse(runSelf(['--child', kind, file])) as Measurement;
}

function best(kind: string, file: string): Measurement {
  const runs = Array.from({ length: RUNS }, () => runChild(kind, file));
  return { ms: Math.min(...runs.map((r) => r.ms)), maxRssBytes: Math.max(...runs.map((r) => r.maxRssBytes)) };
}

/** Writes our files; runs in a child of its own, since Linux children inherit the parent's peak RSS at fork. */
async function writeOurs(dir: string, bytes: number): Promise<void> {
  const rows = Math.max(1, Math.floor(bytes / (4 * DIM)));
  const data = new Float32Array(rows * DIM);
  for (let i = 0; i < data.length; i++) data[i] = (i % 997) / 8;
  const value = new PyDict();
  value.entries.set('feats', { dtype: 'float32', shape: [rows, DIM], data });
  value.entries.set(
    'labels',
    Array.from({ length: rows }, (_, i) => i % 1000),
  );
  await writeTorchZip(path.join(dir, 'ours_zip.pth'), value);
  await writePlainPickleWithTensors(path.join(dir, 'ours_plain_p4.pkl'), value, { protocol: 4 });
  await writePlainPickleWithTensors(path.join(dir, 'ours_plain_p2.pkl'), value, { protocol: 2 });
}

function writeWithTorch(dir: string, bytes: number): Array<[string, string]> {
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return [];
  const rows = Math.max(1, Math.floor(bytes / (4 * DIM)));
  const script = [
    'import sys, pickle, torch',
    `feats = (torch.arange(${rows} * ${DIM}, dtype=torch.float32) % 997 / 8).reshape(${rows}, ${DIM})`,
    `d = {"feats": feats, "labels": [i % 1000 for i in range(${rows})]}`,
    'torch.save(d, sys.argv[1])',
    'with open(sys.argv[2], "wb") as f: pickle.dump(d, f, protocol=4)',
    'with open(sys.argv[3], "wb") as f: pickle.dump(d, f, protocol=2)',
  ].join('\n');
  const zip = path.join(dir, 'torch_zip.pth');
  const plain = path.join(dir, 'torch_plain_p4.pkl');
  const plain2 = path.join(dir, 'torch_plain_p2.pkl');
  execFileSync('/usr/bin/python3', ['-c', script, zip, plain, plain2], { stdio: 'inherit' });
  return [
    ['torch zip (torch.save)', zip],
    ['plain pickle p4 (pickle.dump)', plain],
    ['plain pickle p2 (pickle.dump)', plain2],
  ];
}

async function parent(): Promise<void> {
  const size = parseSize(process.argv[2] ?? process.env.BENCH_SIZE ?? '1G');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-bench-load-'));
  try {
    runSelf(['--write', dir, String(size)]);
    const ours: Array<[string, string]> = [
      ['torch zip (our writer)', path.join(dir, 'ours_zip.pth')],
      ['plain pickle p4 (our writer)', path.join(dir, 'ours_plain_p4.pkl')],
      ['plain pickle p2 (our writer)', path.join(dir, 'ours_plain_p2.pkl')],
    ];
    const files = [...ours, ...writeWithTorch(dir, size)];
    const baseline = runChild('none', files[0][1]);
    console.log(
      `feature matrix ${(size / 2 ** 20).toFixed(0)} MiB, ${DIM} columns; best of ${RUNS} runs per measurement, each in a fresh process`,
    );
    console.log(`node baseline peak RSS (no read): ${(baseline.maxRssBytes / 2 ** 20).toFixed(0)} MiB`);
    console.log(
      'format                          | file MiB | raw read ms | load ms | load/raw | peak RSS MiB | RSS/file',
    );
    for (const [name, file] of files) {
      const fileBytes = fs.statSync(file).size;
      runChild('raw', file); // warm the page cache so neither side pays for the disk
      const raw = best('raw', file);
      const load = best('load', file);
      console.log(
        [
          name.padEnd(31),
          (fileBytes / 2 ** 20).toFixed(0).padStart(8),
          raw.ms.toFixed(0).padStart(11),
          load.ms.toFixed(0).padStart(7),
          (load.ms / raw.ms).toFixed(2).padStart(8),
          (load.maxRssBytes / 2 ** 20).toFixed(0).padStart(12),
          (load.maxRssBytes / fileBytes).toFixed(2).padStart(8),
        ].join(' | '),
      );
    }
    console.log('goals: load/raw ≤ 2, RSS/file ≤ 1.5 (RSS includes the node baseline above)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else if (process.argv[2] === '--write') await writeOurs(process.argv[3], Number(process.argv[4]));
else await parent();
