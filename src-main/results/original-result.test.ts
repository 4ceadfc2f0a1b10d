import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPythonFile } from '../formats/read.ts';
import { PyDict } from '../formats/pyvalue.ts';
import { FileFormatError } from '../errors.ts';
import { importOriginalResult, originalBaselineToRunResult, originalResultToRunResult } from './original-result.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/tinylt');
const RESULT_FILE = path.join(FIXTURES, 'result.pth');

interface ExpectedRun {
  best_epoch_1based: number;
  test_metrics: { accuracy: number; 'top-5 accuracy': number; f1: number };
  test_acc_per_split: Record<'many' | 'medium' | 'few', number>;
  test_acc_per_class: Record<string, number>;
  alphas_per_few_class: Record<string, number[]>;
  nn_classes_used: Record<string, number[]>;
  val_accuracy_per_epoch: number[];
  val_acc_per_split_per_epoch: Record<'many' | 'medium' | 'few', number>[];
  mean_batch_loss_per_epoch: number[];
}
const expected = (
  JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as { train_run: ExpectedRun }
).train_run;

async function readResult() {
  return readPythonFile(RESULT_FILE, { placeholders: 'result-file' });
}

describe("importing the original's result file", () => {
  it('gives the expected test metrics, best epoch and alphas', async () => {
    const { result, extra, notes } = importOriginalResult(await readResult(), RESULT_FILE);
    expect(result.kind).toBe('train');
    expect(result.dataset).toBe('tinylt_synth');
    expect(result.best_epoch).toBe(expected.best_epoch_1based);
    expect(result.test.accuracy).toBe(expected.test_metrics.accuracy);
    expect(result.test.top5).toBe(expected.test_metrics['top-5 accuracy']);
    expect(result.test.f1).toBe(expected.test_metrics.f1);
    expect(result.test.per_split).toEqual({ ...expected.test_acc_per_split, overall: expected.test_metrics.accuracy });
    expect(result.test.per_class).toEqual(
      Object.keys(expected.test_acc_per_class).map((c) => expected.test_acc_per_class[c]),
    );
    expect(Object.keys(result.alphas).sort()).toEqual(Object.keys(expected.alphas_per_few_class).sort());
    for (const [c, alpha] of Object.entries(expected.alphas_per_few_class)) {
      expect(result.alphas[c].neighbors).toEqual(expected.nn_classes_used[c]);
      result.alphas[c].alpha.forEach((a, i) => expect(Math.abs(a - alpha[i])).toBeLessThan(1e-5));
    }
    expect(notes.join(' ')).toMatch(/no seed/);
    expect(extra.import_notes).toEqual(notes);
  });

  it('maps the training config, classes to names and the original selection rule', async () => {
    const { config, selection } = originalResultToRunResult(await readResult(), RESULT_FILE);
    expect(selection).toBe('min-epochs');
    expect(config.alphanet).toEqual({ hdims: [32, 32, 32], hact: 'leaky_relu' });
    expect(config.training).toMatchObject({
      n_neighbors: 3,
      nn_dist: 'euclidean',
      optim_cls: 'AdamW',
      optim_params: { lr: '0.001' },
      lr_sched_cls: 'StepLR',
      lr_sched_params: { step_size: '10', gamma: '0.1' },
      train_epochs: 10,
      min_epochs: 2,
      sampler_classes: ['AllFewSampler', 'ClassBalancedBaseSampler'],
      sampler_args: [{}, { r: '0.5' }],
      val_datagrp: 'val',
    });
  });

  it('recomputes per-epoch val accuracy from per-class accuracies instead of the aliased val_metrics', async () => {
    const { epochs } = originalResultToRunResult(await readResult(), RESULT_FILE);
    expect(epochs).toHaveLength(10);
    epochs.forEach((e, i) => {
      expect(e.epoch).toBe(i + 1);
      expect(e.val?.accuracy).toBeCloseTo(expected.val_accuracy_per_epoch[i], 9);
      expect(e.val?.per_split).toMatchObject(expected.val_acc_per_split_per_epoch[i]);
      expect(Number.isNaN(e.val?.top5)).toBe(true);
      expect(e.mean_loss).toBeCloseTo(expected.mean_batch_loss_per_epoch[i], 12);
      expect(e.alpha_mean[0]).toBe(1);
      expect(e.val_per_class).toHaveLength(30);
    });
    // StepLR(10, 0.1) over 10 epochs: the rate never steps.
    expect(epochs.map((e) => e.lr)).toEqual(new Array(10).fill(0.001));
  });

  it('reads a baseline file (dummy mode, no epochs) with alphas [1, 0, …, 0]', async () => {
    const value = await readResult();
    if (!(value instanceof PyDict)) throw new Error('result.pth is not a dict');
    // The original writes its baseline as the same TrainResult in dummy mode with 0 epochs.
    const anet = value.get('alphanet');
    if (!(anet instanceof PyDict)) throw new Error('no alphanet dict');
    anet.entries.set('dummy_mode', true);
    value.entries.set('epoch_data__seq', []);
    value.entries.set('best_epoch', null);
    value.entries.delete('best_alphanet_classifier_state_dict');
    const baseline = originalBaselineToRunResult(value, 'baseline.pkl');
    expect(baseline.kind).toBe('baseline');
    expect(baseline.best_epoch).toBeNull();
    expect(baseline.val).toBeNull();
    expect(baseline.epochs).toEqual([]);
    expect(baseline.alphas['1']).toEqual({ neighbors: [23, 26, 11], alpha: [1, 0, 0, 0] });
  });

  it('refuses a training result as a baseline, and a value that is not a result', async () => {
    const value = await readResult();
    expect(() => originalBaselineToRunResult(value, RESULT_FILE)).toThrow(/not a baseline/);
    expect(() => originalResultToRunResult(new PyDict(), 'x.pth')).toThrow(FileFormatError);
    expect(() => originalResultToRunResult(new PyDict(), 'x.pth')).toThrow(/x\.pth.*train_data_info/);
  });
});
