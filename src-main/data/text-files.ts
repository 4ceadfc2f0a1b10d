import { SPLITS, type SplitName } from '../../src-shared/dataset.ts';
import { FileFormatError } from '../errors.ts';

/**
 * Parses a split file: one non-negative class id per line. Trailing blank lines are fine; a blank
 * line between ids or anything that is not an integer is an error naming the line.
 */
export function parseSplitFile(text: string, file: string): { ids: number[]; warnings: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const ids: number[] = [];
  const firstLine = new Map<number, number>();
  const warnings: string[] = [];
  lines.forEach((line, i) => {
    const word = line.trim();
    if (word === '') throw new FileFormatError(file, `line ${i + 1} is blank (one class id per line)`);
    if (!/^\+?\d+$/.test(word))
      throw new FileFormatError(file, `line ${i + 1}: '${word}' is not a class id (a non-negative integer)`);
    const id = Number(word);
    if (!Number.isSafeInteger(id)) throw new FileFormatError(file, `line ${i + 1}: class id ${word} is too large`);
    const earlier = firstLine.get(id);
    if (earlier !== undefined) {
      warnings.push(`${file}: class ${id} is listed twice (lines ${earlier} and ${i + 1})`);
      return;
    }
    firstLine.set(id, i + 1);
    ids.push(id);
  });
  return { ids, warnings };
}

export interface SplitCheck {
  /** Class ids per split, ascending. */
  splits: Record<SplitName, number[]>;
  /** splitOf[c] for c in 0..nClasses−1 (undefined where no split lists c). */
  splitOf: (SplitName | undefined)[];
  covers: boolean;
  errors: string[];
}

/**
 * Checks that the split files are disjoint and that their union is exactly 0..nClasses−1.
 * `files` names each split's file for the messages.
 */
export function checkSplits(
  ids: Record<SplitName, number[]>,
  nClasses: number,
  files: Record<SplitName, string>,
): SplitCheck {
  const errors: string[] = [];
  const splitOf: (SplitName | undefined)[] = new Array<SplitName | undefined>(nClasses).fill(undefined);
  const splits = {} as Record<SplitName, number[]>;
  for (const split of SPLITS) {
    splits[split] = [...ids[split]].sort((a, b) => a - b);
    const outside = splits[split].filter((c) => c >= nClasses);
    if (outside.length > 0) {
      errors.push(
        `${files[split]}: ${describeIds(outside)} not a class of the classifier (classes are 0..${nClasses - 1})`,
      );
    }
    for (const c of splits[split]) {
      if (c >= nClasses) continue;
      const other = splitOf[c];
      if (other !== undefined)
        errors.push(`${files[split]}: class ${c} is also in ${files[other]} (splits must be disjoint)`);
      else splitOf[c] = split;
    }
  }
  const missing: number[] = [];
  splitOf.forEach((s, c) => {
    if (s === undefined) missing.push(c);
  });
  if (missing.length > 0) {
    errors.push(`${describeIds(missing)} in no split file (${SPLITS.map((s) => files[s]).join(', ')})`);
  }
  return { splits, splitOf, covers: errors.length === 0, errors };
}

/** `class 3` / `classes 3, 4, 7, … (12 in all)`: short enough for one message line. */
export function describeIds(ids: readonly number[], limit = 10): string {
  if (ids.length === 1) return `class ${ids[0]} is`;
  const shown = ids.slice(0, limit).join(', ');
  return `classes ${shown}${ids.length > limit ? `, … (${ids.length} in all)` : ''} are`;
}

const WNID_LINE = /^(n\d{8})\s+(\S.*)$/;

/**
 * Parses a label-names file: the non-empty lines (trimmed) in class-id order. When every line starts
 * with a WordNet id (`n02109961 Eskimo dog, husky`) the ids are split off into `wnids`.
 */
export function parseLabelNames(
  text: string,
  file: string,
): { names: string[]; wnids: string[] | null; warnings: string[] } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) throw new FileFormatError(file, 'no label names (the file has no non-empty lines)');
  const matches = lines.map((l) => WNID_LINE.exec(l));
  const withId = matches.filter((m) => m !== null).length;
  if (withId === lines.length) {
    return {
      names: matches.map((m) => (m as RegExpExecArray)[2]),
      wnids: matches.map((m) => (m as RegExpExecArray)[1]),
      warnings: [],
    };
  }
  const warnings =
    withId > 0
      ? [`${file}: only ${withId} of ${lines.length} lines start with a WordNet id; names are used whole`]
      : [];
  return { names: lines, wnids: null, warnings };
}
