import path from 'node:path';
import {
  SPLITS,
  type Datagrp,
  type DatasetLoadProgress,
  type DatasetSpec,
  type LoadedDataset,
  type SplitName,
} from '../../src-shared/dataset.ts';
import { FileFormatError, UserError } from '../errors.ts';
import { cacheDir as defaultCacheDir } from '../paths.ts';
import { openCachedDatagrp, readCachedDatagrp, writeCachedDatagrp, type OpenedDatagrp } from './cache.ts';
import { loadClassifier, type LinearClassifier } from './classifier.ts';
import { listShards, readShards, withLazyFeats, type ConvertedDatagrp, type RowReader } from './features.ts';
import { contentFingerprintOf, fingerprintOf, stampFile, type SourceStamp } from './fingerprint.ts';
import { checkSplits, describeIds, parseLabelNames, parseSplitFile, type SplitCheck } from './text-files.ts';
import { readTextOrFail } from '../files.ts';

export { resolveDataset, readDatasetsToml } from './config.ts';

export interface LoadOptions {
  /** Which datagrps to load (default: all of the spec's). */
  datagrps?: string[];
  /** Converted-cache folder; default the app's cacheDir(); null disables the cache. */
  cacheDir?: string | null;
  /**
   * Keep features out of memory: each datagrp's `feats` becomes a getter that reads them from the
   * converted cache on every access, and a cached datagrp loads only its labels. For the engine, whose
   * runs need features only when their own caches (pretrained scores, class means) miss. Without a
   * cache folder (or when it cannot be written) the features stay in memory as usual.
   */
  lazyFeatures?: boolean;
  onProgress?: (progress: DatasetLoadProgress) => void;
}

/** The datagrp whose class sizes define the splits and which must have every class. */
export const TRAIN_DATAGRP = 'train';

export function splitFile(spec: DatasetSpec, split: SplitName): string {
  return path.join(spec.splitFilesDir, `${split}.txt`);
}

export function readSplitFiles(spec: DatasetSpec): {
  ids: Record<SplitName, number[]>;
  files: Record<SplitName, string>;
  warnings: string[];
} {
  const ids = {} as Record<SplitName, number[]>;
  const files = {} as Record<SplitName, string>;
  const warnings: string[] = [];
  for (const split of SPLITS) {
    files[split] = splitFile(spec, split);
    const parsed = parseSplitFile(readTextOrFail(files[split], 'split file'), files[split]);
    ids[split] = parsed.ids;
    warnings.push(...parsed.warnings);
  }
  return { ids, files, warnings };
}

export function readLabelNamesFile(spec: DatasetSpec): ReturnType<typeof parseLabelNames> | null {
  if (spec.labelNamesFile === null) return null;
  return parseLabelNames(readTextOrFail(spec.labelNamesFile, 'label names file'), spec.labelNamesFile);
}

/** Stamps of a datagrp's shards; an error when there are none. */
export function datagrpSources(spec: DatasetSpec, datagrp: string): SourceStamp[] {
  const files = listShards(spec.featureFilesDir, datagrp);
  if (files.length === 0)
    throw new FileFormatError(spec.featureFilesDir, `no feature files for '${datagrp}' (expected ${datagrp}*.pkl)`);
  return files.map(stampFile);
}

/** A datagrp whose features are read from the converted cache when asked for (see LoadOptions.lazyFeatures). */
function lazyConverted(opened: OpenedDatagrp): ConvertedDatagrp {
  const { labels, n, dim, shards } = opened;
  return withLazyFeats({ labels, n, dim, shards }, opened.readFeats);
}

/** Row readers of lazily loaded datagrps (kept off the shared Datagrp type, which has no methods). */
const rowReaders = new WeakMap<object, RowReader>();

/**
 * For a datagrp of a `lazyFeatures` load: reads rows start .. start+count of its features from disk
 * (into `into` when given, else a fresh array), so a pass over them can stream instead of holding
 * them all. Null for datagrps whose features are in memory (use `feats`).
 */
export function featureRowReader(grp: Datagrp): RowReader | null {
  return rowReaders.get(grp) ?? null;
}

/** One datagrp's arrays: from the converted cache when its sources are unchanged, else parsed (and cached). */
export async function loadDatagrp(
  spec: DatasetSpec,
  datagrp: string,
  sources: SourceStamp[],
  cacheRoot: string | null,
  progress?: (file: string, cached: boolean) => void,
  lazy = false,
  onRead?: (file: string, bytesDone: number, size: number) => void,
): Promise<{ data: ConvertedDatagrp; cached: boolean; warnings: string[]; opened?: OpenedDatagrp }> {
  if (cacheRoot !== null && lazy) {
    const opened = openCachedDatagrp(cacheRoot, spec.featureFilesDir, datagrp, sources);
    if (opened) {
      progress?.(sources[sources.length - 1].path, true);
      return { data: lazyConverted(opened), cached: true, warnings: [], opened };
    }
  } else if (cacheRoot !== null) {
    const hit = readCachedDatagrp(cacheRoot, spec.featureFilesDir, datagrp, sources);
    if (hit) {
      progress?.(sources[sources.length - 1].path, true);
      return { data: hit, cached: true, warnings: [] };
    }
  }
  // With a cache to record where they lie, features that can stay in their files do.
  const data = await readShards(
    sources.map((s) => s.path),
    (file) => progress?.(file, false),
    onRead,
    cacheRoot !== null,
  );
  const warnings: string[] = [];
  if (cacheRoot !== null) {
    const problem = writeCachedDatagrp(cacheRoot, spec.featureFilesDir, datagrp, sources, data);
    if (problem) warnings.push(problem);
    // Lazy: drop the parsed arrays now that the cache holds them.
    const opened = lazy && !problem ? openCachedDatagrp(cacheRoot, spec.featureFilesDir, datagrp, sources) : null;
    if (opened) return { data: lazyConverted(opened), cached: false, warnings, opened };
  }
  return { data, cached: false, warnings };
}

/** Everything read from disk, before the cross-file checks. Parts that failed to read are absent. */
export interface DatasetParts {
  spec: DatasetSpec;
  splitIds?: Record<SplitName, number[]>;
  splitFiles: Record<SplitName, string>;
  labelNames?: ReturnType<typeof parseLabelNames> | null;
  classifier?: LinearClassifier;
  datagrps: Record<string, ConvertedDatagrp>;
}

export interface DatasetCheck {
  /** The classifier's class count, else (classifier unreadable) one past the largest id seen. */
  nClasses: number;
  /** The features' dim (the first datagrp's), else the classifier's. */
  dim: number;
  splitCheck: SplitCheck | null;
  errors: string[];
  warnings: string[];
}

function rowsOutside(
  labels: Int32Array,
  from: number,
  to: number,
  test: (label: number) => boolean,
): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = from; i < to; i++) {
    const label = labels[i];
    if (test(label)) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
}

/**
 * The checks across files that make a dataset usable for AlphaNet (pure): splits disjoint and
 * covering the classifier's classes, labels in range and in a split, finite features, feature dim
 * equal to the classifier's, one label name per class, every class present in train.
 */
export function checkDataset(parts: DatasetParts): DatasetCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const grps = Object.entries(parts.datagrps);
  let maxId = -1;
  for (const ids of Object.values(parts.splitIds ?? {})) for (const id of ids) maxId = Math.max(maxId, id);
  for (const [, g] of grps) for (const l of g.labels) maxId = Math.max(maxId, l);
  const nClasses = parts.classifier?.nClasses ?? maxId + 1;
  const dim = grps.length > 0 ? grps[0][1].dim : (parts.classifier?.dim ?? 0);

  const splitCheck = parts.splitIds ? checkSplits(parts.splitIds, nClasses, parts.splitFiles) : null;
  if (splitCheck) errors.push(...splitCheck.errors);

  const clf = parts.classifier;
  for (const [name, g] of grps) {
    if (g.dim !== dim)
      errors.push(`${g.shards[0].file}: '${name}' features have ${g.dim} dims but '${grps[0][0]}' has ${dim}`);
  }
  if (clf && grps.length > 0 && clf.dim !== dim) {
    const ride =
      clf.info.nExperts > 1
        ? ` (a combined classifier of ${clf.info.nExperts} experts expects their features concatenated: ${clf.info.nExperts} × ${clf.dim / clf.info.nExperts})`
        : '';
    errors.push(
      `${clf.info.files[0]}: the classifier takes ${clf.dim}-dim features${ride}, but the features in ${parts.spec.featureFilesDir} have ${dim} dims`,
    );
  }

  const names = parts.labelNames;
  if (names && parts.spec.labelNamesFile && names.names.length !== nClasses) {
    errors.push(
      `${parts.spec.labelNamesFile}: ${plural(names.names.length, 'label name')} but ${plural(nClasses, 'class')}`,
    );
  }
  if (names) warnings.push(...names.warnings);

  for (const [name, g] of grps) {
    let row = 0;
    for (const shard of g.shards) {
      if (shard.nanCount > 0) errors.push(`${shard.nanCount} NaN values in ${shard.file}`);
      if (shard.infCount > 0) errors.push(`${shard.infCount} infinite values in ${shard.file}`);
      const outside = rowsOutside(g.labels, row, row + shard.n, (l) => l < 0 || l >= nClasses);
      if (outside.size > 0) {
        const ids = [...outside.keys()].sort((a, b) => a - b);
        const rows = [...outside.values()].reduce((a, b) => a + b, 0);
        errors.push(
          `${shard.file}: ${plural(rows, 'row')} with labels outside 0..${nClasses - 1} (${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''})`,
        );
      }
      if (splitCheck) {
        const unsplit = rowsOutside(
          g.labels,
          row,
          row + shard.n,
          (l) => l >= 0 && l < nClasses && splitCheck.splitOf[l] === undefined,
        );
        if (unsplit.size > 0) {
          const ids = [...unsplit.keys()].sort((a, b) => a - b);
          errors.push(
            `${shard.file}: ${describeIds(ids)} used as labels but in no split file (${parts.spec.splitFilesDir})`,
          );
        }
      }
      row += shard.n;
    }
    const odd = g.shards.filter((s) => s.idxsIdentity === false);
    if (odd.length > 0) {
      warnings.push(
        `'${name}': idxs is not 0..n−1 in ${odd.map((s) => s.file).join(', ')}; row i still takes labels[i] (as in the original)`,
      );
    }
    const extra = [...new Set(g.shards.flatMap((s) => s.otherKeys))];
    if (extra.length > 0)
      warnings.push(
        `'${name}': ignored keys ${extra.join(', ')} in ${g.shards[0].file}${g.shards.length > 1 ? ' and others' : ''}`,
      );

    const present = new Uint8Array(Math.max(nClasses, 0));
    for (const l of g.labels) if (l >= 0 && l < nClasses) present[l] = 1;
    const absent: number[] = [];
    present.forEach((p, c) => {
      if (!p) absent.push(c);
    });
    if (absent.length > 0) {
      const text = `'${name}' (${g.shards.map((s) => path.basename(s.file)).join(', ')}): ${describeIds(absent)} without samples`;
      if (name === TRAIN_DATAGRP) errors.push(`${text} (every class needs training features)`);
      else warnings.push(text);
    }
  }
  return { nClasses, dim, splitCheck, errors, warnings };
}

/** Every source file of a dataset, stamped, with its role (the shards' role is their datagrp). */
function sourceStamps(
  spec: DatasetSpec,
  splitFiles: Record<SplitName, string>,
  classifierFiles: readonly string[],
  shards: Record<string, SourceStamp[]>,
) {
  return [
    ...SPLITS.map((s) => ({ role: `split:${s}`, stamp: stampFile(splitFiles[s]) })),
    ...(spec.labelNamesFile ? [{ role: 'label-names', stamp: stampFile(spec.labelNamesFile) }] : []),
    ...classifierFiles.map((file, i) => ({ role: `classifier:${i}`, stamp: stampFile(file) })),
    ...spec.datagrps.flatMap((g) => shards[g].map((stamp) => ({ role: `features:${g}`, stamp }))),
  ];
}

/** What identifies a dataset and names its classes, read without its features (see datasetIdentity). */
export type DatasetIdentity = Pick<
  LoadedDataset,
  'spec' | 'fingerprint' | 'contentFingerprint' | 'splits' | 'labelNames' | 'classifierInfo'
>;

/**
 * A dataset's fingerprints, splits and label names without loading its features: what a coordinator
 * records and compares with a distributed worker's copy. Reads the split and label-name files and the
 * classifier (for its file list), and stamps the feature shards.
 */
export async function datasetIdentity(spec: DatasetSpec): Promise<DatasetIdentity> {
  const splits = readSplitFiles(spec);
  const labelNames = readLabelNamesFile(spec);
  const classifier = await loadClassifier(spec.classifierFile, spec.classifierLoader);
  const shards = Object.fromEntries(spec.datagrps.map((g) => [g, listShards(spec.featureFilesDir, g).map(stampFile)]));
  const ascending = (ids: number[]) => [...ids].sort((a, b) => a - b);
  return {
    spec,
    ...fingerprints(sourceStamps(spec, splits.files, classifier.info.files, shards)),
    splits: { many: ascending(splits.ids.many), medium: ascending(splits.ids.medium), few: ascending(splits.ids.few) },
    labelNames: labelNames?.names ?? null,
    classifierInfo: classifier.info,
  };
}

function fingerprints(
  files: ReturnType<typeof sourceStamps>,
): Pick<LoadedDataset, 'fingerprint' | 'contentFingerprint'> {
  return { fingerprint: fingerprintOf(files.map((f) => f.stamp)), contentFingerprint: contentFingerprintOf(files) };
}

/**
 * Loads a dataset for training/evaluation: splits, label names, classifier and the features of the
 * chosen datagrps (through the converted cache). Throws FileFormatError for an unreadable file, or
 * UserError listing every problem the checks found.
 */
export async function loadDataset(spec: DatasetSpec, options: LoadOptions = {}): Promise<LoadedDataset> {
  const wanted = options.datagrps ?? spec.datagrps;
  const unknown = wanted.filter((g) => !spec.datagrps.includes(g));
  if (unknown.length > 0)
    throw new UserError(
      `${spec.key}: unknown datagrp ${unknown.join(', ')} (the dataset has ${spec.datagrps.join(', ')})`,
    );
  const cacheRoot = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const warnings: string[] = [];

  // Stamp every shard up front: the total for progress, and the fingerprint covers all datagrps.
  const stamps: Record<string, SourceStamp[]> = {};
  for (const g of spec.datagrps) {
    if (wanted.includes(g)) stamps[g] = datagrpSources(spec, g);
    else stamps[g] = listShards(spec.featureFilesDir, g).map(stampFile);
  }
  const total = 3 + (spec.labelNamesFile ? 1 : 0) + 1 + wanted.reduce((sum, g) => sum + stamps[g].length, 0);
  let done = 0;
  const report = (p: Omit<DatasetLoadProgress, 'done' | 'total'>, steps = 1) => {
    done += steps;
    options.onProgress?.({ ...p, done, total });
  };

  const splits = readSplitFiles(spec);
  warnings.push(...splits.warnings);
  for (const s of SPLITS) report({ stage: 'splits', file: splits.files[s] });
  const labelNames = readLabelNamesFile(spec);
  if (spec.labelNamesFile) report({ stage: 'label-names', file: spec.labelNamesFile });
  const classifier = await loadClassifier(spec.classifierFile, spec.classifierLoader);
  report({ stage: 'classifier', file: spec.classifierFile });

  const datagrps: Record<string, ConvertedDatagrp> = {};
  const lazy: Record<string, OpenedDatagrp> = {};
  for (const g of wanted) {
    const loaded = await loadDatagrp(
      spec,
      g,
      stamps[g],
      cacheRoot,
      (file, cached) => report({ stage: 'features', datagrp: g, file, cached }, cached ? stamps[g].length : 1),
      options.lazyFeatures === true,
      options.onProgress &&
        ((file, bytesDone, size) =>
          options.onProgress?.({
            stage: 'features',
            datagrp: g,
            file,
            done,
            total,
            cached: false,
            bytes: { done: bytesDone, total: size },
          })),
    );
    datagrps[g] = loaded.data;
    if (loaded.opened) lazy[g] = loaded.opened;
    warnings.push(...loaded.warnings);
  }

  const parts: DatasetParts = {
    spec,
    splitIds: splits.ids,
    splitFiles: splits.files,
    labelNames,
    classifier,
    datagrps,
  };
  const check = checkDataset(parts);
  if (check.errors.length > 0) {
    throw new UserError(`dataset '${spec.key}' is not usable:\n  ${check.errors.join('\n  ')}`);
  }
  warnings.push(...check.warnings);
  const splitCheck = check.splitCheck as SplitCheck;
  const out: Record<string, Datagrp> = {};
  for (const [g, d] of Object.entries(datagrps)) {
    const rest = { labels: d.labels, n: d.n, files: d.shards.map((s) => s.file) };
    const opened = lazy[g];
    if (opened) {
      out[g] = withLazyFeats(rest, opened.readFeats);
      rowReaders.set(out[g], opened.readRows);
    } else {
      out[g] = { feats: d.feats, ...rest };
    }
  }
  return {
    spec,
    nClasses: check.nClasses,
    dim: check.dim,
    datagrps: out,
    splits: splitCheck.splits,
    splitOf: splitCheck.splitOf as SplitName[],
    classifier: { weight: classifier.weight, bias: classifier.bias },
    classifierInfo: classifier.info,
    labelNames: labelNames?.names ?? null,
    wnids: labelNames?.wnids ?? null,
    ...fingerprints(sourceStamps(spec, splits.files, classifier.info.files, stamps)),
    warnings,
  };
}
