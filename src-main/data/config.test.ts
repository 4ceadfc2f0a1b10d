import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../errors.ts';
import {
  demoConfigFile,
  findDataset,
  parseDatasetsToml,
  readDatasetsToml,
  resolveDataset,
  type PathProbe,
} from './config.ts';

const TINYLT = path.resolve(import.meta.dirname, '../../test/fixtures/tinylt');

const FULL = `
[ds]
split_files_dir = "splits"
feature_files_dir = "features/x"
classifier_file = "classifiers/x.pth"
classifier_loader = "LinearClassifierLoader"
nn_files_dir = "nns/x"
baseline_eval_file = "baselines/x.pkl"
`;

function probe(cwd: string, existing: string[]): PathProbe {
  const set = new Set(existing);
  return { cwd, exists: (p) => set.has(p) };
}

describe('parseDatasetsToml', () => {
  it('fills the defaults and resolves paths beside the TOML', () => {
    const { tables } = parseDatasetsToml(FULL, '/cfg/datasets.toml', probe('/work', ['/cfg/splits']));
    const spec = tables[0].spec!;
    expect(tables[0].errors).toEqual([]);
    expect(spec.properName).toBe('ds');
    expect(spec.datagrps).toEqual(['train', 'val', 'test']);
    expect(spec.splitFilesDir).toBe('/cfg/splits');
    expect(spec.nnFilesDir).toBe('/cfg/nns/x');
    expect(spec.labelNamesFile).toBeNull();
    expect(spec.configFile).toBe('/cfg/datasets.toml');
  });

  it("falls back to the cwd (the original's rule) with a warning, and keeps missing paths with it", () => {
    const { tables } = parseDatasetsToml(
      FULL,
      '/repo/config/datasets.toml',
      probe('/repo', ['/repo/splits', '/repo/features/x']),
    );
    const spec = tables[0].spec!;
    expect(spec.splitFilesDir).toBe('/repo/splits');
    expect(spec.featureFilesDir).toBe('/repo/features/x');
    // Not on disk anywhere yet: follows the table's cwd-resolved paths.
    expect(spec.nnFilesDir).toBe('/repo/nns/x');
    expect(tables[0].warnings.join('\n')).toMatch(/split_files_dir 'splits' is not in the TOML's folder/);
  });

  it('keeps absolute paths, proper names with U+2011 and custom datagrps', () => {
    const text = `${FULL.replace('"splits"', '"/abs/splits"')}proper_name = "ImageNet‑LT | cRT"\ndatagrps = ["train", "test"]\nlabel_names_file = "names.txt"\n`;
    const spec = parseDatasetsToml(text, '/cfg/d.toml', probe('/', [])).tables[0].spec!;
    expect(spec.splitFilesDir).toBe('/abs/splits');
    expect(spec.properName).toBe('ImageNet\u2011LT | cRT');
    expect(spec.datagrps).toEqual(['train', 'test']);
    expect(spec.labelNamesFile).toBe('/cfg/names.txt');
  });

  it('warns about unknown keys', () => {
    const { tables } = parseDatasetsToml(`${FULL}colour = "blue"\n`, '/c/d.toml', probe('/', []));
    expect(tables[0].spec).not.toBeNull();
    expect(tables[0].warnings[0]).toMatch(/\[ds\]: unknown key 'colour'/);
  });

  it('names each missing required key and bad values', () => {
    const text =
      FULL.replace(/classifier_file = .*\n/, '').replace('LinearClassifierLoader', 'Nope') + 'datagrps = "train"\n';
    const { tables } = parseDatasetsToml(text, '/c/d.toml', probe('/', []));
    expect(tables[0].spec).toBeNull();
    const all = tables[0].errors.join('\n');
    expect(all).toMatch(/\[ds\]: missing required key 'classifier_file'/);
    expect(all).toMatch(/classifier_loader 'Nope' is not one of/);
    expect(all).toMatch(/'datagrps' must be a non-empty list/);
  });

  it('reports TOML syntax errors with the file and line', () => {
    expect(() => parseDatasetsToml('[ds\nx = 1', '/c/d.toml', probe('/', []))).toThrow(
      /\/c\/d\.toml: not valid TOML \(line 1/,
    );
  });
});

describe('readDatasetsToml / resolveDataset', () => {
  it('reads the tinylt config', () => {
    const { specs, warnings } = readDatasetsToml(path.join(TINYLT, 'datasets.toml'), '/');
    expect(warnings).toEqual([]);
    expect(specs.map((s) => s.key)).toEqual(['tinylt_synth', 'tinylt_synth_ride']);
    expect(specs[1].classifierLoader).toBe('CombinedClassifierLoader');
    expect(specs[0].featureFilesDir).toBe(path.join(TINYLT, 'features/synth'));
    expect(specs[0].labelNamesFile).toBe(path.join(TINYLT, 'label_names.txt'));
  });

  it('throws one error naming the file and the missing key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cfg-'));
    const file = path.join(dir, 'datasets.toml');
    fs.writeFileSync(file, FULL.replace(/nn_files_dir = .*\n/, ''));
    const call = () => readDatasetsToml(file);
    expect(call).toThrow(FileFormatError);
    expect(call).toThrow(`${file}: [ds]: missing required key 'nn_files_dir'`);
    fs.rmSync(dir, { recursive: true });
  });

  it('finds a dataset by key, only that table needing to be valid', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cfg-'));
    const file = path.join(dir, 'datasets.toml');
    fs.writeFileSync(file, `${FULL}\n[broken]\nsplit_files_dir = "s"\n`);
    expect(resolveDataset('ds', file).key).toBe('ds');
    expect(() => resolveDataset('broken', file)).toThrow(/\[broken\]: missing required key/);
    expect(() => resolveDataset('other', file)).toThrow(/no dataset 'other' \(.*has ds, broken\)/);
    expect(() => resolveDataset('ds', path.join(dir, 'absent.toml'))).toThrow(
      /absent\.toml: datasets config not found/,
    );
    fs.rmSync(dir, { recursive: true });
  });

  it("without --config, reads the original's config/datasets.toml under the cwd", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cfg-'));
    const saved = process.env.ALPHANET_DATA_DIR;
    process.env.ALPHANET_DATA_DIR = path.join(dir, 'appdata');
    try {
      expect(() => resolveDataset('ds', undefined, dir)).toThrow(
        /no dataset 'ds': no --config given and no default config/,
      );
      fs.mkdirSync(path.join(dir, 'config'));
      fs.writeFileSync(path.join(dir, 'config', 'datasets.toml'), FULL);
      const spec = resolveDataset('ds', undefined, dir);
      expect(spec.configFile).toBe(path.join(dir, 'config', 'datasets.toml'));
      expect(findDataset('ds', undefined, dir).warnings).toEqual([]);

      // The app's registry is read too; a key in both is taken from the cwd's config, with a note naming both.
      fs.mkdirSync(path.join(dir, 'appdata'));
      const registry = path.join(dir, 'appdata', 'datasets.toml');
      fs.writeFileSync(registry, `${FULL}\n${FULL.replace('[ds]', '[only_app]')}`);
      expect(resolveDataset('only_app', undefined, dir).configFile).toBe(registry);
      const both = findDataset('ds', undefined, dir);
      expect(both.spec.configFile).toBe(path.join(dir, 'config', 'datasets.toml'));
      expect(both.warnings[0]).toBe(
        `dataset 'ds' is in ${path.join(dir, 'config', 'datasets.toml')} and ${registry}; using ${path.join(dir, 'config', 'datasets.toml')} ` +
          `(the working directory's config comes first; --config ${registry} for the other)`,
      );
    } finally {
      if (saved === undefined) delete process.env.ALPHANET_DATA_DIR;
      else process.env.ALPHANET_DATA_DIR = saved;
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('resolves demo to the bundled dataset without a config or when the config lacks it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cfg-'));
    const saved = process.env.ALPHANET_DATA_DIR;
    process.env.ALPHANET_DATA_DIR = path.join(dir, 'appdata');
    try {
      const bundled = resolveDataset('demo', undefined, dir);
      expect(bundled.configFile).toBeNull();
      expect(bundled.featureFilesDir).toBe(path.join(path.dirname(demoConfigFile()), 'features'));
      expect(resolveDataset('demo', path.join(TINYLT, 'datasets.toml'), dir)).toEqual(bundled);
    } finally {
      if (saved === undefined) delete process.env.ALPHANET_DATA_DIR;
      else process.env.ALPHANET_DATA_DIR = saved;
      fs.rmSync(dir, { recursive: true });
    }
  });
});
