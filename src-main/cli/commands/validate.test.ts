import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetReport } from '../../../src-shared/dataset.ts';
import { copyTinylt, TINYLT } from '../../../test/support/tinylt.ts';
import type { CliIO } from '../command.ts';
import { main } from '../main.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-validate-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function run(argv: string[], cwd = tmp): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), isTTY: false, cwd };
  const code = await main(['validate', ...argv, '--cache-dir', path.join(tmp, 'cache')], io);
  return { code, out, err };
}

describe('alphanet validate', () => {
  it('prints the DatasetReport as JSON and exits 0 for a usable dataset', async () => {
    const { code, out } = await run([
      '--config',
      path.join(TINYLT, 'datasets.toml'),
      '--dataset',
      'tinylt_synth',
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(out) as DatasetReport;
    expect(Object.keys(report).sort()).toEqual(
      [
        'classifier',
        'datagrps',
        'dim',
        'errors',
        'key',
        'label_names',
        'n_classes',
        'proper_name',
        'splits',
        'splits_cover_labels',
        'usable',
        'warnings',
        'wordnet_ids',
      ].sort(),
    );
    expect(report).toMatchObject({
      key: 'tinylt_synth',
      proper_name: 'TinyLT | synth',
      n_classes: 30,
      dim: 32,
      usable: true,
      errors: [],
    });
    expect(report.datagrps.train.n_samples).toBe(2246);
    expect(report.splits.few).toEqual({ n_classes: 10, n_train_samples: 103, min_class_size: 5, max_class_size: 18 });
  });

  it('prints a readable report, resolving --config against the cwd', async () => {
    const { code, out } = await run(['--config', 'datasets.toml', '--dataset', 'tinylt_synth_ride'], TINYLT);
    expect(code).toBe(0);
    expect(out).toMatch(/^Dataset\s+tinylt_synth_ride {2}\(TinyLT \| synth \(RIDE-style, 2 experts\)\)$/m);
    expect(out).toMatch(/^Status\s+usable$/m);
    expect(out).toMatch(/^Classifier\s+CombinedClassifierLoader, 30 × 32 \(2 experts\), with bias$/m);
    expect(out).toMatch(/^train\s+2,246\s+1\s+30\s+0\s+0$/m);
    expect(out).toMatch(/^many\s+8\s+1,542\s+112\s+300$/m);
  });

  it('exits 1 with the errors for an unusable dataset, a missing TOML key or an unknown dataset', async () => {
    const dir = copyTinylt(path.join(tmp, 'tinylt'));
    fs.writeFileSync(path.join(dir, 'splits/few.txt'), '1\nx\n');
    const bad = await run(['--config', path.join(dir, 'datasets.toml'), '--dataset', 'tinylt_synth', '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.out) as DatasetReport;
    expect(report.usable).toBe(false);
    expect(report.errors.join('\n')).toMatch(/few\.txt: line 2: 'x' is not a class id/);

    const toml = path.join(dir, 'datasets.toml');
    fs.writeFileSync(toml, fs.readFileSync(toml, 'utf8').replace(/^classifier_file = .*\n/m, ''));
    const missingKey = await run(['--config', toml, '--dataset', 'tinylt_synth']);
    expect(missingKey.code).toBe(1);
    expect(missingKey.out).toMatch(/NOT USABLE \(1 error\)/);
    expect(missingKey.out).toContain(`${toml}: [tinylt_synth]: missing required key 'classifier_file'`);

    const unknown = await run(['--config', toml, '--dataset', 'nope', '--json']);
    expect(unknown.code).toBe(1);
    expect((JSON.parse(unknown.out) as DatasetReport).errors[0]).toMatch(/no dataset 'nope'/);
  });

  it('exits 2 for usage errors', async () => {
    expect((await run([])).code).toBe(2);
    const unknownFlag = await run(['--dataset', 'x', '--bogus']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.err).toMatch(/unknown flag --bogus/);
  });
});
