import { describe, expect, it } from 'vitest';
import type { WordNetRelation } from '../../../src-shared/inspector.ts';
import { toyInspectorData } from './inspector-fixture.test-data.ts';
import {
  borrowers,
  classFromQuery,
  combinationCsv,
  combinationText,
  deltaText,
  exportName,
  nextSort,
  perRunCounts,
  relationTitle,
  searchClasses,
  sortClasses,
} from './inspector-view.ts';

const data = toyInspectorData();
const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe('the Inspector class list', () => {
  it('searches names ignoring case and accents', () => {
    expect(names(searchClasses(data.classes, 'DOG'))).toEqual(['Café dog', 'Eskimo dog']);
    expect(names(searchClasses(data.classes, 'cafe'))).toEqual(['Café dog']);
    expect(searchClasses(data.classes, '  ')).toHaveLength(5);
    expect(searchClasses(data.classes, 'wolf')).toEqual([]);
  });

  it('sorts by a column either way, classes without a value last both ways, ties by id', () => {
    // Δ: husky −0.25, malamute none, Café dog 0, Eskimo dog 0.375, dingo 0.75.
    expect(names(sortClasses(data.classes, { key: 'delta', dir: 'desc' }))).toEqual([
      'dingo',
      'Eskimo dog',
      'Café dog',
      'Siberian husky',
      'malamute',
    ]);
    expect(names(sortClasses(data.classes, { key: 'delta', dir: 'asc' }))).toEqual([
      'Siberian husky',
      'Café dog',
      'Eskimo dog',
      'dingo',
      'malamute',
    ]);
    expect(names(sortClasses(data.classes, { key: 'name', dir: 'asc' }))).toEqual([
      'Café dog',
      'dingo',
      'Eskimo dog',
      'malamute',
      'Siberian husky',
    ]);
    // Baseline accuracy 1 for husky and Café dog: the lower id first.
    expect(names(sortClasses(data.classes, { key: 'baselineAcc', dir: 'desc' })).slice(0, 2)).toEqual([
      'Siberian husky',
      'Café dog',
    ]);
  });

  it('flips the sorted column and starts others at their useful end', () => {
    expect(nextSort({ key: 'delta', dir: 'desc' }, 'delta')).toEqual({ key: 'delta', dir: 'asc' });
    expect(nextSort({ key: 'delta', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'trainSamples')).toEqual({ key: 'trainSamples', dir: 'desc' });
  });
});

describe('the Inspector detail', () => {
  it('writes accuracy changes as signed percentage points', () => {
    expect(deltaText(0.617)).toBe('61.7');
    expect(deltaText(-0.116)).toBe('−11.6');
    expect(deltaText(-0.0001)).toBe('0.0');
    expect(deltaText(null)).toBe('–');
  });

  const eskimo = data.fewClasses.find((f) => f.name === 'Eskimo dog')!;

  it("writes the combination as the original's report does", () => {
    expect(combinationText(eskimo)).toBe(
      '[Eskimo dog] = [Eskimo dog]\n               + (-0.2±0.028)[Siberian husky]\n               + (0.4±0.14)[malamute]',
    );
  });

  it("exports the combination as CSV with each run's coefficient", () => {
    expect(combinationCsv(eskimo).split('\n')).toEqual([
      'few_class_id,few_class,rank,neighbour_id,neighbour,split,distance,alpha_mean,alpha_std,alpha_run_1,alpha_run_2',
      `3,Eskimo dog,1,0,Siberian husky,many,1,${eskimo.combination[0]!.alphaMean},${eskimo.combination[0]!.alphaStd},-0.18,-0.22`,
      `3,Eskimo dog,2,1,malamute,many,3,${eskimo.combination[1]!.alphaMean},${eskimo.combination[1]!.alphaStd},0.5,0.3`,
      '',
    ]);
  });

  it("lists each confusion's counts per run and a WordNet relation's glosses for hover", () => {
    const husky = eskimo.baselineMistakes.find((c) => c.name === 'Siberian husky')!;
    expect(husky.baseline).toBe(2);
    expect(perRunCounts(husky)).toBe('1 · 1');
    const rel: WordNetRelation = {
      pathDistance: 3,
      level: 2,
      lowestCommonHypernyms: [
        {
          wnid: 'n02103406',
          name: 'working dog',
          gloss:
            'any of several breeds of usually large powerful dogs bred to work as draft animals and guard and guide dogs',
        },
      ],
    };
    expect(relationTitle(rel)).toBe(
      'working dog (n02103406): any of several breeds of usually large powerful dogs bred to work as draft animals and guard and guide dogs',
    );
    expect(relationTitle({ pathDistance: null, level: null, lowestCommonHypernyms: [] })).toBe('no common hypernym');
  });

  it('reads the class from the route only when the data has it', () => {
    expect(classFromQuery(data, '3')).toBe(3);
    expect(classFromQuery(data, '5')).toBeNull();
    expect(classFromQuery(data, '-1')).toBeNull();
    expect(classFromQuery(data, 'Eskimo dog')).toBeNull();
    expect(classFromQuery(data, undefined)).toBeNull();
  });

  it('finds the few classes that borrow from a base class', () => {
    expect(borrowers(data, 1).map((b) => [b.detail.name, b.alphaMean.toFixed(2)])).toEqual([
      ['Eskimo dog', '0.40'],
      ['dingo', '0.60'],
    ]);
    expect(borrowers(data, 3)).toEqual([]);
  });

  it('names exported files safely', () => {
    expect(exportName('demo', 'e2e α/β run', 'deltaVsDistance')).toBe('demo-e2e_α_β_run-deltaVsDistance');
  });
});
