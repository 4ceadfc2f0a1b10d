/**
 * Training checkpoints: everything a run needs to continue bit-identically (parameters, optimiser
 * state, epoch — the scheduler is a function of it —, RNG state, history, the selected state so far).
 * One JSON file per epoch, float arrays as base64 of their bytes (exact), written atomically; the
 * newest `keep` are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EpochRecord } from '../../src-shared/result.ts';
import type { RngState } from '../../src-shared/rng.ts';
import { FileFormatError, UserError } from '../errors.ts';
import type { OptimizerState } from './optim.ts';

const FORMAT = 'alphanet-checkpoint';
const NAME = /^epoch-(\d+)\.ckpt\.json$/;

export interface Checkpoint {
  /** Identifies the run (config, seed, dataset): a checkpoint of another run is never resumed. */
  runKey: string;
  epoch: number;
  params: Float32Array[];
  optimizer: OptimizerState;
  rng: RngState;
  history: EpochRecord[];
  best: { epoch: number; params: Float32Array[]; valAccuracy: number } | null;
}

interface CheckpointFile {
  format: typeof FORMAT;
  version: 1;
  run_key: string;
  epoch: number;
  params: string[];
  optimizer: { step: number; buffers: string[][] };
  rng: number[];
  history: EpochRecord[];
  best: { epoch: number; params: string[]; val_accuracy: number } | null;
}

function encode(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decode(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** JSON has no NaN: non-finite numbers travel as tagged strings so a resumed history is identical. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? `__num:${value}` : value;
}

function reviver(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.startsWith('__num:') ? Number(value.slice(6)) : value;
}

/** JSON text that keeps NaN and ±Infinity (as checkpoints do), for records that travel between processes. */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function parseExact<T>(text: string): T {
  return JSON.parse(text, reviver) as T;
}

export function checkpointFile(dir: string, epoch: number): string {
  return path.join(dir, `epoch-${String(epoch).padStart(4, '0')}.ckpt.json`);
}

export function saveCheckpoint(dir: string, ckpt: Checkpoint, keep: number): string {
  const body: CheckpointFile = {
    format: FORMAT,
    version: 1,
    run_key: ckpt.runKey,
    epoch: ckpt.epoch,
    params: ckpt.params.map(encode),
    optimizer: { step: ckpt.optimizer.step, buffers: ckpt.optimizer.buffers.map((b) => b.map(encode)) },
    rng: [...ckpt.rng],
    history: ckpt.history,
    best: ckpt.best && { epoch: ckpt.best.epoch, params: ckpt.best.params.map(encode), val_accuracy: ckpt.best.valAccuracy },
  };
  return writeCheckpointText(dir, ckpt.epoch, JSON.stringify(body, replacer), keep);
}

/**
 * Writes a checkpoint file's text (as saveCheckpoint makes it, or as it arrives from a distributed
 * worker) atomically, then keeps the newest `keep`.
 */
export function writeCheckpointText(dir: string, epoch: number, text: string, keep: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = checkpointFile(dir, epoch);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  for (const old of listCheckpoints(dir).slice(0, -Math.max(1, keep))) fs.rmSync(old.file, { force: true });
  return file;
}

/** The newest checkpoint file's text and epoch, unparsed (to send it elsewhere), or null. */
export function latestCheckpointText(dir: string): { epoch: number; text: string } | null {
  const newest = listCheckpoints(dir).at(-1);
  return newest ? { epoch: newest.epoch, text: fs.readFileSync(newest.file, 'utf8') } : null;
}

/** Checkpoint files in `dir`, oldest first. */
export function listCheckpoints(dir: string): { epoch: number; file: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ m: NAME.exec(name), name }))
    .filter((e): e is { m: RegExpExecArray; name: string } => e.m !== null)
    .map((e) => ({ epoch: Number(e.m[1]), file: path.join(dir, e.name) }))
    .sort((a, b) => a.epoch - b.epoch);
}

export function readCheckpoint(file: string): Checkpoint {
  let body: CheckpointFile;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'), reviver) as CheckpointFile;
  } catch (error) {
    throw new FileFormatError(file, `not a readable checkpoint (${(error as Error).message})`);
  }
  if (body.format !== FORMAT || body.version !== 1) throw new FileFormatError(file, 'not an AlphaNet checkpoint (format/version)');
  return {
    runKey: body.run_key,
    epoch: body.epoch,
    params: body.params.map(decode),
    optimizer: { step: body.optimizer.step, buffers: body.optimizer.buffers.map((b) => b.map(decode)) },
    rng: body.rng as RngState,
    history: body.history,
    best: body.best && { epoch: body.best.epoch, params: body.best.params.map(decode), valAccuracy: body.best.val_accuracy },
  };
}

/** The newest checkpoint in `dir`, if any; one made by a different run is an error, not silently ignored. */
export function latestCheckpoint(dir: string, runKey: string): Checkpoint | null {
  const all = listCheckpoints(dir);
  if (all.length === 0) return null;
  const ckpt = readCheckpoint(all[all.length - 1].file);
  if (ckpt.runKey !== runKey) {
    throw new UserError(
      `${dir} holds checkpoints of a different run (other config, seed or dataset); ` +
        'pass --no-load-from-ckpt to start over or choose another --ckpt-dir',
    );
  }
  return ckpt;
}
