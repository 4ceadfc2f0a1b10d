/**
 * The training samplers of spec §4 (the original's alphanet/_samplers.py), redrawn every epoch from
 * our seeded RNG. A sampler returns indices into the training datagrp.
 */
import type { KeyValues } from '../../src-shared/config.ts';
import type { SplitName } from '../../src-shared/dataset.ts';
import { checkParam } from '../../src-shared/optimizers.ts';
import {
  isSamplerClass,
  SAMPLER_CLASSES,
  SAMPLER_PARAMS,
  samplerSplit,
  type SamplerClass,
  type SamplerSplit,
} from '../../src-shared/run-config-validation.ts';
import type { Rng } from '../../src-shared/rng.ts';
import { UserError } from '../errors.ts';

/** Training indices grouped by class, per split ('base' = many ∪ medium); classes ascending, indices ascending. */
export interface SamplingIndex {
  byClass: Record<SamplerSplit, Map<number, number[]>>;
  /** Number of few-split training samples (F in int(r·F)). */
  nFewSamples: number;
}

export function buildSamplingIndex(labels: Int32Array, splitOf: readonly SplitName[]): SamplingIndex {
  const byClass: Record<SamplerSplit, Map<number, number[]>> = {
    many: new Map(),
    medium: new Map(),
    few: new Map(),
    base: new Map(),
  };
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  for (const c of classes) {
    const split = splitOf[c];
    byClass[split].set(c, []);
    if (split !== 'few') byClass.base.set(c, []);
  }
  labels.forEach((c, i) => {
    const split = splitOf[c];
    byClass[split].get(c)?.push(i);
    if (split !== 'few') byClass.base.get(c)?.push(i);
  });
  let nFewSamples = 0;
  for (const idx of byClass.few.values()) nFewSamples += idx.length;
  return { byClass, nFewSamples };
}

export interface Sampler {
  name: SamplerClass;
  draw(rng: Rng): number[];
}

function ratioArg(name: SamplerClass, args: KeyValues): number {
  for (const key of Object.keys(args)) {
    if (key !== 'r') throw new UserError(`${name}: unknown argument '${key}' (only r is accepted)`);
  }
  if (args.r === undefined) return 1;
  const problem = checkParam(SAMPLER_PARAMS.r, args.r);
  if (problem) throw new UserError(`${name}: r=${args.r}: ${problem}`);
  return Number(args.r);
}

function allIndices(byClass: Map<number, number[]>): number[] {
  const out: number[] = [];
  for (const idx of byClass.values()) for (const i of idx) out.push(i);
  return out;
}

/**
 * Builds one sampler. `r` is accepted by every sampler because one arg string may apply to all of them
 * (the `All*` samplers ignore it, as the original's do); any other key is an error.
 */
export function makeSampler(name: string, args: KeyValues, index: SamplingIndex): Sampler {
  if (!isSamplerClass(name))
    throw new UserError(`unknown sampler '${name}' (choose from ${SAMPLER_CLASSES.join(', ')})`);
  const cls = name;
  const r = ratioArg(cls, args);
  const esplit = samplerSplit(cls);
  const classes = index.byClass[esplit];
  const all = allIndices(classes);
  if (cls.startsWith('All')) return { name: cls, draw: () => [...all] };
  if (all.length === 0) throw new UserError(`${cls}: the '${esplit}' split has no training samples`);
  const n = Math.trunc(r * index.nFewSamples);
  if (cls.startsWith('ClassBalanced')) {
    // Weight 1/(class size) per sample = a uniform class, then a uniform sample of it.
    const lists = [...classes.values()];
    return {
      name: cls,
      draw: (rng) =>
        Array.from({ length: n }, () => {
          const list = lists[rng.nextInt(lists.length)];
          return list[rng.nextInt(list.length)];
        }),
    };
  }
  if (cls.endsWith('ImageSampler')) {
    return { name: cls, draw: (rng) => Array.from({ length: n }, () => all[rng.nextInt(all.length)]) };
  }
  // Uniform*ClassSampler: int(#few classes · r) classes, each given the size of a distinct few class.
  const fewSizes = [...index.byClass.few.values()].map((idx) => idx.length);
  const nClasses = Math.trunc(fewSizes.length * r);
  if (nClasses > classes.size || nClasses > fewSizes.length) {
    throw new UserError(
      `${cls}: r=${r} asks for ${nClasses} classes, but there are ${classes.size} '${esplit}' and ${fewSizes.length} few classes`,
    );
  }
  const classIds = [...classes.keys()];
  return {
    name: cls,
    draw: (rng) => {
      const chosen = rng.sample(classIds, nClasses);
      const sizes = rng.sample(fewSizes, nClasses);
      const out: number[] = [];
      chosen.forEach((c, i) => {
        const idx = classes.get(c) ?? [];
        // A base class smaller than the drawn few size gives all it has (the original would raise).
        for (const j of rng.sample(idx, Math.min(sizes[i], idx.length))) out.push(j);
      });
      return out;
    },
  };
}

/** One KeyValues per sampler, or a single one shared by all (the original's rule). */
export function makeSamplers(classes: readonly string[], args: readonly KeyValues[], index: SamplingIndex): Sampler[] {
  if (classes.length === 0) throw new UserError('at least one sampler class is needed');
  if (args.length !== 1 && args.length !== classes.length) {
    throw new UserError(`need ${classes.length} sampler argument strings (or one for all), got ${args.length}`);
  }
  return classes.map((name, i) => makeSampler(name, args.length === 1 ? args[0] : args[i], index));
}

/** An epoch's training order: every sampler's draw, concatenated, then shuffled. */
export function drawEpoch(samplers: readonly Sampler[], rng: Rng): number[] {
  const indices: number[] = [];
  for (const s of samplers) for (const i of s.draw(rng)) indices.push(i);
  return rng.shuffle(indices);
}
