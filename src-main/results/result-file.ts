/**
 * Reads one result file for the results table: our RunResult JSON (`train --save-file`,
 * `baseline --save-file`), told apart from the original's pickled / torch.save'd TrainResult by
 * its first byte.
 */
import fs from 'node:fs/promises';
import { SELECTION_RULES } from '../../src-shared/config.ts';
import type { EvalMetrics, RunResult } from '../../src-shared/result.ts';
import { FileFormatError } from '../errors.ts';
import { decodePythonBytes } from '../formats/read.ts';
import { originalBaselineToRunResult, originalResultToRunResult } from './original-result.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFraction(file: string, where: string, value: unknown): void {
  // NaN is written as null in JSON; a missing split (no test samples of it) is kept as null too.
  if (value === null) return;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new FileFormatError(file, `${where} should be an accuracy in [0, 1], got ${JSON.stringify(value)}`);
  }
}

function checkMetrics(file: string, where: string, value: unknown): asserts value is EvalMetrics {
  if (!isRecord(value)) throw new FileFormatError(file, `${where} should be an object of metrics`);
  for (const key of ['accuracy', 'top5', 'f1'] as const) checkFraction(file, `${where}.${key}`, value[key]);
  const perSplit = value.per_split;
  if (!isRecord(perSplit)) throw new FileFormatError(file, `${where}.per_split is missing`);
  for (const split of ['many', 'medium', 'few'] as const)
    checkFraction(file, `${where}.per_split.${split}`, perSplit[split]);
}

/**
 * Parses our RunResult JSON, checking what the comparison reads (kind, dataset, seed, config,
 * selection, test and val metrics); other fields are taken as they are.
 */
export function parseRunResultJson(text: string, file: string): RunResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new FileFormatError(file, 'is not a run result (expected a JSON object)');
  if (value.kind !== 'train' && value.kind !== 'baseline') {
    throw new FileFormatError(
      file,
      `is not a run result: "kind" should be "train" or "baseline", got ${JSON.stringify(value.kind)}`,
    );
  }
  if (typeof value.dataset !== 'string' || value.dataset === '')
    throw new FileFormatError(file, '"dataset" should be a non-empty string');
  if (typeof value.seed !== 'number' || !Number.isInteger(value.seed))
    throw new FileFormatError(file, '"seed" should be an integer');
  if (!isRecord(value.config)) throw new FileFormatError(file, '"config" should be an object');
  if (typeof value.selection !== 'string' || !(SELECTION_RULES as readonly string[]).includes(value.selection)) {
    throw new FileFormatError(file, `"selection" should be one of ${SELECTION_RULES.join(', ')}`);
  }
  checkMetrics(file, 'test', value.test);
  if (value.val !== null && value.val !== undefined) checkMetrics(file, 'val', value.val);
  return { ...value, val: value.val ?? null } as unknown as RunResult;
}

/** Skips a UTF-8 byte-order mark and whitespace; true when the text starts with `{`. */
function looksLikeJson(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b;
}

/**
 * A run's result (role 'run') or a baseline evaluation (role 'baseline': the original's file must
 * then be a dummy-mode TrainResult; our JSON may be of either kind).
 */
export async function readResultFile(file: string, role: 'run' | 'baseline'): Promise<RunResult> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new FileFormatError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (bytes.length === 0) throw new FileFormatError(file, 'is empty');
  if (looksLikeJson(bytes)) return parseRunResultJson(new TextDecoder().decode(bytes), file);
  // The original's torch.save / pickle files: decoded without executing anything, classes outside
  // the allow-list kept as inert records.
  const value = decodePythonBytes(bytes, file, { placeholders: 'result-file' });
  return role === 'baseline' ? originalBaselineToRunResult(value, file) : originalResultToRunResult(value, file);
}
