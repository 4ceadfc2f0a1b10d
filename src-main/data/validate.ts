import { SPLITS, type DatasetReport, type DatasetSpec, type SplitName } from '../../src-shared/dataset.ts';
import { UserError } from '../errors.ts';
import { cacheDir as defaultCacheDir } from '../paths.ts';
import { loadWordNet } from '../wordnet.ts';
import { loadClassifier } from './classifier.ts';
import {
  checkDataset,
  datagrpSources,
  loadDatagrp,
  readLabelNamesFile,
  readSplitFiles,
  splitFile,
  TRAIN_DATAGRP,
  type DatasetParts,
} from './dataset.ts';

function problem(error: unknown, context: string): string {
  if (error instanceof UserError) return error.message;
  // A reader bug must not hide the rest of the report; say where it happened.
  return `${context}: could not be read (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`;
}

/** WordNet ids that are not WordNet 3.0 noun synsets (the hierarchy analyses need real ones): a warning. */
function unknownWnids(wnids: readonly string[], file: string): string[] {
  try {
    const wordnet = loadWordNet();
    const unknown = wnids.filter((id) => wordnet.synset(id) === undefined);
    if (unknown.length === 0) return [];
    return [
      `${file}: ${unknown.length} of ${wnids.length} WordNet ids are not WordNet 3.0 noun synsets (${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''})`,
    ];
  } catch (error) {
    return [`could not check the WordNet ids in ${file}: ${(error as Error).message}`];
  }
}

/** A report with nothing loaded yet: zero counts, no errors. */
export function emptyReport(key: string, properName = key): DatasetReport {
  const split = { n_classes: 0, n_train_samples: 0, min_class_size: 0, max_class_size: 0 };
  return {
    key,
    proper_name: properName,
    n_classes: 0,
    dim: 0,
    datagrps: {},
    splits: { many: { ...split }, medium: { ...split }, few: { ...split } },
    splits_cover_labels: false,
    label_names: false,
    wordnet_ids: false,
    classifier: { n_classes: 0, dim: 0, has_bias: false, loader: 'LinearClassifierLoader', n_experts: 0 },
    usable: false,
    warnings: [],
    errors: [],
  };
}

/**
 * Reads every part of a dataset it can (each failure becomes an error naming the file, and the
 * other parts are still checked), then runs the same checks as loadDataset. NaN or infinite
 * features are errors: training on them gives NaN logits. `usable` = no errors.
 */
export async function validateDataset(
  spec: DatasetSpec,
  options: { cacheDir?: string | null } = {},
): Promise<DatasetReport> {
  const report = emptyReport(spec.key, spec.properName);
  report.classifier.loader = spec.classifierLoader;
  const cacheRoot = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const splitFiles = Object.fromEntries(SPLITS.map((s) => [s, splitFile(spec, s)])) as Record<SplitName, string>;
  const parts: DatasetParts = { spec, splitFiles, datagrps: {} };

  try {
    const splits = readSplitFiles(spec);
    parts.splitIds = splits.ids;
    report.warnings.push(...splits.warnings);
  } catch (error) {
    report.errors.push(problem(error, spec.splitFilesDir));
  }
  try {
    parts.labelNames = readLabelNamesFile(spec);
  } catch (error) {
    report.errors.push(problem(error, spec.labelNamesFile ?? ''));
  }
  try {
    parts.classifier = await loadClassifier(spec.classifierFile, spec.classifierLoader);
  } catch (error) {
    report.errors.push(problem(error, spec.classifierFile));
  }
  for (const g of spec.datagrps) {
    // Every datagrp has its row in the report, in the spec's order; zeros where nothing could be read.
    report.datagrps[g] = { n_samples: 0, n_files: 0, n_classes: 0, nan_count: 0, inf_count: 0 };
    try {
      const loaded = await loadDatagrp(spec, g, datagrpSources(spec, g), cacheRoot);
      parts.datagrps[g] = loaded.data;
      report.warnings.push(...loaded.warnings);
    } catch (error) {
      report.errors.push(problem(error, `${spec.featureFilesDir} (${g})`));
    }
  }

  const check = checkDataset(parts);
  report.errors.push(...check.errors);
  report.warnings.push(...check.warnings);
  report.n_classes = check.nClasses;
  report.dim = check.dim;
  report.splits_cover_labels = check.splitCheck?.covers ?? false;
  report.label_names = parts.labelNames != null;
  report.wordnet_ids = parts.labelNames?.wnids != null;
  if (parts.classifier) {
    const c = parts.classifier;
    report.classifier = {
      n_classes: c.nClasses,
      dim: c.dim,
      has_bias: c.info.hasBias,
      loader: c.info.loader,
      n_experts: c.info.nExperts,
    };
  }

  const wnids = parts.labelNames?.wnids;
  if (wnids && spec.labelNamesFile) report.warnings.push(...unknownWnids(wnids, spec.labelNamesFile));

  const countsPerGrp: Record<string, number[]> = {};
  for (const [g, d] of Object.entries(parts.datagrps)) {
    const counts = new Array<number>(Math.max(check.nClasses, 0)).fill(0);
    for (const l of d.labels) if (l >= 0 && l < counts.length) counts[l]++;
    countsPerGrp[g] = counts;
    report.datagrps[g] = {
      n_samples: d.n,
      n_files: d.shards.length,
      n_classes: counts.filter((c) => c > 0).length,
      nan_count: d.shards.reduce((s, x) => s + x.nanCount, 0),
      inf_count: d.shards.reduce((s, x) => s + x.infCount, 0),
    };
  }
  const train = countsPerGrp[TRAIN_DATAGRP];
  if (!spec.datagrps.includes(TRAIN_DATAGRP))
    report.warnings.push(`no '${TRAIN_DATAGRP}' datagrp: split class sizes are not reported`);
  if (check.splitCheck) {
    for (const split of SPLITS) {
      const classes = check.splitCheck.splits[split].filter((c) => c < check.nClasses);
      const sizes = train ? classes.map((c) => train[c]) : [];
      report.splits[split] = {
        n_classes: classes.length,
        n_train_samples: sizes.reduce((a, b) => a + b, 0),
        min_class_size: sizes.length > 0 ? Math.min(...sizes) : 0,
        max_class_size: sizes.length > 0 ? Math.max(...sizes) : 0,
      };
    }
  }
  report.usable = report.errors.length === 0;
  return report;
}

function table(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

/** The report for a terminal: status first, then sizes, splits, warnings and errors. */
export function formatReport(report: DatasetReport): string {
  const yesNo = (b: boolean) => (b ? 'yes' : 'no');
  const c = report.classifier;
  const status = report.usable
    ? `usable${report.warnings.length > 0 ? ` (${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'})` : ''}`
    : `NOT USABLE (${report.errors.length} error${report.errors.length === 1 ? '' : 's'})`;
  const facts: [string, string][] = [
    ['Dataset', report.proper_name === report.key ? report.key : `${report.key}  (${report.proper_name})`],
    ['Status', status],
    ['Classes', String(report.n_classes)],
    ['Feature dim', String(report.dim)],
    [
      'Classifier',
      c.n_experts === 0
        ? `${c.loader}: not loaded`
        : `${c.loader}, ${c.n_classes} × ${c.dim}${c.n_experts > 1 ? ` (${c.n_experts} experts)` : ''}, ${c.has_bias ? 'with bias' : 'no bias (zeros)'}`,
    ],
    ['Splits cover labels', yesNo(report.splits_cover_labels)],
    ['Label names', report.label_names ? (report.wordnet_ids ? 'yes, with WordNet ids' : 'yes') : 'no'],
  ];
  const width = Math.max(...facts.map(([k]) => k.length)) + 2;
  const lines = facts.map(([k, v]) => `${k.padEnd(width)}${v}`);
  const grps = Object.entries(report.datagrps);
  if (grps.length > 0) {
    lines.push(
      '',
      ...table(
        ['datagrp', 'samples', 'files', 'classes', 'NaN', 'Inf'],
        grps.map(([g, d]) => [g, d.n_samples, d.n_files, d.n_classes, d.nan_count, d.inf_count]),
      ),
    );
  }
  lines.push(
    '',
    ...table(
      ['split', 'classes', 'train samples', 'min/class', 'max/class'],
      SPLITS.map((s) => {
        const x = report.splits[s];
        return [s, x.n_classes, x.n_train_samples, x.min_class_size, x.max_class_size];
      }),
    ),
  );
  for (const [title, items] of [
    ['Warnings', report.warnings],
    ['Errors', report.errors],
  ] as const) {
    if (items.length > 0)
      lines.push('', `${title} (${items.length}):`, ...items.map((m) => `  - ${m.replace(/\n/g, '\n    ')}`));
  }
  return lines.join('\n');
}
