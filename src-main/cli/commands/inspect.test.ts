import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PyDict } from '../../formats/pyvalue.ts';
import { writeTorchZip } from '../../formats/write.ts';
import type { CliIO } from '../command.ts';
import { main } from '../main.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'alphanet-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inspect(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += `${t}\n`),
    err: (t) => void (err += `${t}\n`),
    isTTY: false,
    cwd: FIXTURES,
  };
  const code = await main(['inspect', ...argv], io);
  return { code, out, err };
}

describe('alphanet inspect', () => {
  it('prints tensors as {dtype, shape, data} with int64 numbers, and lists as arrays (--json)', async () => {
    const { code, out } = await inspect('formats/feats_torchsave_legacy.pkl', '--json');
    expect(code).toBe(0);
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'formats/expected.json'), 'utf8'));
    expect(JSON.parse(out)).toEqual({
      feats: { dtype: 'float32', shape: [5, 4], data: expected.feats },
      labels: expected.labels,
      idxs: { dtype: 'int64', shape: [5], data: expected.idxs },
    });
  });

  it('writes ints beyond 2**53 as strings, bytes as base64, tuples as arrays, int keys as strings', async () => {
    const { out } = await inspect('formats/longs_p4.pkl', '--json');
    expect(JSON.parse(out)).toEqual([
      -(2 ** 40),
      2 ** 40,
      '9007199254740993',
      -1,
      -(2 ** 31) - 1,
      2 ** 31,
      1.5,
      0,
      'ü',
      { bytes: 'YWI=' },
      [1, 2],
      { 1: 'x' },
      true,
      null,
    ]);
  });

  it('shows a result file, with its classes as inert records and references', async () => {
    const { code, out } = await inspect('tinylt/result.pth', '--json');
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.training_config.sampler_builder.sampler_classes).toEqual([
      { global: 'alphanet._samplers.AllFewSampler' },
      { global: 'alphanet._samplers.ClassBalancedBaseSampler' },
    ]);
    expect(json.best_alphanet_classifier_state_dict['base_clf.weight'].shape).toEqual([20, 32]);
    expect(out).toContain('"class": "torch.nn.modules.linear.Linear"');
  });

  it('summarises tensors over 10,000 elements instead of listing them', async () => {
    const file = join(dir, 'big.pth');
    const big = new PyDict();
    big.entries.set('x', {
      dtype: 'float32',
      shape: [100, 101],
      data: Float32Array.from({ length: 10_100 }, (_, i) => i),
    });
    await writeTorchZip(file, big);
    const json = JSON.parse((await inspect(file, '--json')).out);
    expect(json.x).toEqual({ dtype: 'float32', shape: [100, 101], summary: { min: 0, max: 10_099, mean: 5049.5 } });
    const text = (await inspect(file)).out;
    expect(text).toContain(
      "'x': tensor float32 [100, 101]  (10100 elements, values not shown)  min 0  max 10099  mean 5049.5",
    );
  });

  it('prints a readable tree by default', async () => {
    const { code, out } = await inspect('formats/clf_nobias.pth');
    expect(code).toBe(0);
    expect(out.split('\n').slice(0, 6)).toEqual([
      'dict (2 items)',
      "  'weight': tensor float32 [3, 4]",
      '    [-1.25, -1, -0.75, -0.5]',
      '    [-0.25, 0, 0.25, 0.5]',
      '    [0.75, 1, 1.25, 1.5]',
      "  'bias': None",
    ]);
  });

  it('exits 1 naming the file for an unreadable file, and 2 for a usage error', async () => {
    const bad = join(dir, 'bad.pkl');
    writeFileSync(bad, Buffer.from('\x80\x02cos\nsystem\n.', 'latin1'));
    const result = await inspect(bad);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${bad}: forbidden global 'os.system'`);
    const truncated = join(dir, 'truncated.pth');
    writeFileSync(truncated, readFileSync(join(FIXTURES, 'formats/clf.pth')).subarray(0, 500));
    expect((await inspect(truncated)).code).toBe(1);
    expect((await inspect()).code).toBe(2);
    expect((await inspect('a', 'b')).code).toBe(2);
  });
});
