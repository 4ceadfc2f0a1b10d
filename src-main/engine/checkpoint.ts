/**
 * Training checkpoints: everything a run needs to continue bit-identically (parameters, optimiser
 * state, epoch — the scheduler is a function of it —, RNG state, history, the selected state so far).
 * One JSON file per epoch, float arrays as base64 of their bytes (exact), written atomically; the
 * newest `keep` are kept. A file's name carries its run's key, so runs sharing a folder never read,
 * prune or delete each other's checkpoints.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EpochRecord } from '../../src-shared/result.ts';
import type { RngState } from '../../src-shared/rng.ts';
import { DiskError, FileFormatError, UserError } from '../errors.ts';
import type { OptimizerState } from './optim.ts';

const FORMAT = 'alphanet-checkpoint';
/** `epoch-0007.<run key tag>.ckpt.json`; files without the tag were written before it existed. */
const NAME = /^epoch-(\d+)(?:\.([0-9a-f]{16}))?\.ckpt\.json$/;

function tagOf(runKey: string): string {
  return createHash('sha256').update(runKey).digest('hex').slice(0, 16);
}

/**
 * Seconds between checkpoints in a run's own folder, after epoch 1 (TrainOptions.ckptIntervalSeconds):
 * the folder is deleted when the run finishes, so it only bounds the work a resume redoes (also on
 * another machine: a distributed worker's checkpoints travel to its coordinator as often).
 */
export const OWN_CKPT_INTERVAL_S = 5;

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

export function checkpointFile(dir: string, epoch: number, runKey: string): string {
  return path.join(dir, `epoch-${String(epoch).padStart(4, '0')}.${tagOf(runKey)}.ckpt.json`);
}

export function saveCheckpoint(dir: string, ckpt: Checkpoint, keep: number): string {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw DiskError.of(error, dir) ?? error;
  }
  const body: CheckpointFile = {
    format: FORMAT,
    version: 1,
    run_key: ckpt.runKey,
    epoch: ckpt.epoch,
    params: ckpt.params.map(encode),
    optimizer: { step: ckpt.optimizer.step, buffers: ckpt.optimizer.buffers.map((b) => b.map(encode)) },
    rng: [...ckpt.rng],
    history: ckpt.history,
    best: ckpt.best && {
      epoch: ckpt.best.epoch,
      params: ckpt.best.params.map(encode),
      val_accuracy: ckpt.best.valAccuracy,
    },
  };
  const file = checkpointFile(dir, ckpt.epoch, ckpt.runKey);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(body, replacer));
    fs.renameSync(tmp, file);
  } catch (error) {
    // A full disk leaves no half-written temporary behind to fill it further.
    fs.rmSync(tmp, { force: true });
    throw DiskError.of(error, dir) ?? error;
  }
  for (const old of listCheckpoints(dir, ckpt.runKey).slice(0, -Math.max(1, keep)))
    fs.rmSync(old.file, { force: true });
  return file;
}

/** A checkpoint file as it travels between machines: its name (epoch and run tag) and its text, unparsed. */
export interface CheckpointText {
  epoch: number;
  name: string;
  text: string;
}

/** The newest checkpoint file in `dir` (of any run: the folder is one run's), or null. */
export function latestCheckpointText(dir: string): CheckpointText | null {
  const newest = listCheckpoints(dir).at(-1);
  return newest ? checkpointText(newest) : null;
}

export function checkpointText(entry: { epoch: number; file: string }): CheckpointText {
  return { epoch: entry.epoch, name: path.basename(entry.file), text: fs.readFileSync(entry.file, 'utf8') };
}

/**
 * Writes a checkpoint that arrived from another machine into `dir` under its own name (which must be a
 * checkpoint file's name: it comes over the network), atomically, then keeps the newest `keep` of its run.
 */
export function writeCheckpointText(dir: string, ckpt: CheckpointText, keep: number): string {
  const m = NAME.exec(ckpt.name);
  if (!m || Number(m[1]) !== ckpt.epoch)
    throw new UserError(`'${ckpt.name}' is not the name of an epoch-${ckpt.epoch} checkpoint`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, ckpt.name);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, ckpt.text);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw DiskError.of(error, dir) ?? error;
  }
  const sameRun = listCheckpoints(dir).filter((c) => NAME.exec(path.basename(c.file))?.[2] === m[2]);
  for (const old of sameRun.slice(0, -Math.max(1, keep))) fs.rmSync(old.file, { force: true });
  return file;
}

/**
 * Checkpoint files in `dir`, oldest first: those of the run `runKey` (by their name), or every one
 * (any run, untagged ones included) without it.
 */
export function listCheckpoints(dir: string, runKey?: string): { epoch: number; file: string }[] {
  const tag = runKey === undefined ? undefined : tagOf(runKey);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ m: NAME.exec(name), name }))
    .filter((e): e is { m: RegExpExecArray; name: string } => e.m !== null && (tag === undefined || e.m[2] === tag))
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
  if (body.format !== FORMAT || body.version !== 1)
    throw new FileFormatError(file, 'not an AlphaNet checkpoint (format/version)');
  return {
    runKey: body.run_key,
    epoch: body.epoch,
    params: body.params.map(decode),
    optimizer: { step: body.optimizer.step, buffers: body.optimizer.buffers.map((b) => b.map(decode)) },
    rng: body.rng as RngState,
    history: body.history,
    best: body.best && {
      epoch: body.best.epoch,
      params: body.best.params.map(decode),
      valAccuracy: body.best.val_accuracy,
    },
  };
}

/**
 * The newest checkpoint of the run `runKey` in `dir`, if any. Checkpoints of other runs are left
 * alone: an untagged (older) file made by a different run is skipped with a warning, never a reason
 * to fail the run.
 */
export function latestCheckpoint(
  dir: string,
  runKey: string,
  warn: (message: string) => void = console.warn,
): Checkpoint | null {
  const own = listCheckpoints(dir, runKey);
  if (own.length > 0) return readCheckpoint(own[own.length - 1].file);
  const untagged = listCheckpoints(dir).filter((c) => NAME.exec(path.basename(c.file))?.[2] === undefined);
  if (untagged.length === 0) return null;
  const ckpt = readCheckpoint(untagged[untagged.length - 1].file);
  if (ckpt.runKey === runKey) return ckpt;
  warn(
    `${dir} holds checkpoints of a different run (other config, seed or dataset); they are ignored and this run starts from epoch 1`,
  );
  return null;
}
