/**
 * The original's training, step by step: test/fixtures/tinylt/replay holds one run of the original code
 * (initial weights, every batch, loss per step, weights after epochs 1, 5 and 12, α per epoch). Fed the
 * same batches, our training step must give every loss within 1e-6 and the weights and α within 1e-5.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { FileFormatError } from '../errors.ts';
import type { CliIO } from '../cli/command.ts';
import { main } from '../cli/main.ts';
import { initBackend } from './backend.ts';
import { parseReplay, readStateDict, replayTraining, type ReplayOutput } from './replay.ts';

const FIXTURE = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tinylt');
const DIR = path.join(FIXTURE, 'replay');
const recording = JSON.parse(fs.readFileSync(path.join(DIR, 'replay.json'), 'utf8')) as {
  steps: { loss: number }[];
  epochs: { epoch: number; alphas_per_few_class: Record<string, number[]>; state_dict_file: string | null }[];
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-replay-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let ds: LoadedDataset;
let out: ReplayOutput;
let printed = '';
beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  ds = await loadDataset(resolveDataset('tinylt_synth', path.join(FIXTURE, 'datasets.toml')), { cacheDir: null });
  const io: CliIO = {
    out: (t) => void (printed += `${t}\n`),
    err: (t) => void (printed += `${t}\n`),
    isTTY: false,
    cwd: tmp,
  };
  const argv = [
    'replay',
    DIR,
    '--config',
    path.join(FIXTURE, 'datasets.toml'),
    '--dataset',
    'tinylt_synth',
    '--out',
    'out.json',
    '--no-cache',
    '--backend',
    'wasm',
  ];
  expect(await main(argv, io)).toBe(0);
  out = JSON.parse(fs.readFileSync(path.join(tmp, 'out.json'), 'utf8')) as ReplayOutput;
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('alphanet replay: the original training run (tinylt, seed 1, 12 epochs)', () => {
  it('writes {losses, epochs, alphas} and prints the largest differences', () => {
    expect(Object.keys(out)).toEqual(['losses', 'epochs', 'alphas']);
    expect(printed).toMatch(/replayed 36 steps/);
    expect(printed).toMatch(/frozen tensors +identical/);
  });

  it("gives every step's loss within 1e-6", () => {
    expect(out.losses).toHaveLength(recording.steps.length);
    const worst = maxAbsDiff(
      out.losses,
      recording.steps.map((s) => s.loss),
    );
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('gives α after every epoch within 1e-5', () => {
    for (const e of recording.epochs) {
      const got = out.alphas[String(e.epoch)];
      expect(Object.keys(got).sort()).toEqual(Object.keys(e.alphas_per_few_class).sort());
      for (const [c, want] of Object.entries(e.alphas_per_few_class))
        expect(maxAbsDiff(got[c], want)).toBeLessThanOrEqual(1e-5);
    }
  });

  it("gives the weights after epochs 1, 5 and 12 within 1e-5, frozen tensors exactly, under the original's keys", async () => {
    const saved = recording.epochs.filter((e) => e.state_dict_file !== null);
    expect(Object.keys(out.epochs).sort()).toEqual(saved.map((e) => String(e.epoch)).sort());
    for (const e of saved) {
      const want = await readStateDict(path.join(DIR, e.state_dict_file as string));
      const got = out.epochs[String(e.epoch)];
      expect(Object.keys(got)).toEqual(Object.keys(want));
      for (const [key, t] of Object.entries(want)) {
        const worst = maxAbsDiff(got[key], t.data);
        if (key.startsWith('alphanet.')) expect(worst, `${key} after epoch ${e.epoch}`).toBeLessThanOrEqual(1e-5);
        else expect(worst, key).toBe(0);
      }
    }
  });

  it('builds the same network input as the original (sources.pth)', async () => {
    const sources = (await readStateDict(path.join(DIR, 'sources.pth'))).sources;
    const rec = parseReplay(JSON.parse(fs.readFileSync(path.join(DIR, 'replay.json'), 'utf8')), 'replay.json');
    const d = ds.dim;
    rec.fclassOrder.forEach((c, i) => {
      [c, ...rec.neighbors[String(c)]].forEach((row, j) => {
        const want = Array.from(sources.data).slice((i * 6 + j) * d, (i * 6 + j + 1) * d);
        expect(Array.from(ds.classifier.weight.subarray(row * d, (row + 1) * d))).toEqual(want);
      });
    });
  });

  it("refuses to replay on another dataset's classifier", async () => {
    const ride = await loadDataset(resolveDataset('tinylt_synth_ride', path.join(FIXTURE, 'datasets.toml')), {
      cacheDir: null,
    });
    await expect(replayTraining(ride, DIR, { backend: 'wasm', cacheRoot: null })).rejects.toThrow(
      /alphanet_b__vec is not the classifier of 'tinylt_synth_ride' \(the recording is of 'tinylt_synth'\)/,
    );
  });

  it('names the file and the field of a broken recording, and refuses optimiser settings it would ignore', () => {
    expect(() => parseReplay({ format: 'something-else' }, 'x/replay.json')).toThrow(FileFormatError);
    expect(() => parseReplay({ format: 'something-else' }, 'x/replay.json')).toThrow(/x\/replay\.json: format/);
    const good = JSON.parse(fs.readFileSync(path.join(DIR, 'replay.json'), 'utf8')) as {
      optimizer: { param_group_at_first_step: Record<string, unknown> };
      model: { hact: string };
    };
    const newer = structuredClone(good);
    newer.optimizer.param_group_at_first_step.decoupled_weight_decay = true;
    expect(() => parseReplay(newer, 'r.json')).toThrow(/decoupled_weight_decay = true is not a parameter of AdamW/);
    const inPlace = structuredClone(good);
    inPlace.model.hact = 'leaky_relu_';
    expect(parseReplay(inPlace, 'r.json').hact).toBe('leaky_relu');
    const softmax = structuredClone(good);
    softmax.model.hact = 'softmax';
    expect(() => parseReplay(softmax, 'r.json')).toThrow(
      /r\.json: model\.hact: activation 'softmax' is not elementwise/,
    );
  });
});
