import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetSpec } from '../../src-shared/dataset.ts';
import { parseDatasetsToml } from './config.ts';
import {
  addToRegistry,
  registryKeys,
  removeFromRegistry,
  removeRegistryTable,
  upsertRegistryTables,
} from './registry.ts';

function spec(key: string, over: Partial<DatasetSpec> = {}): DatasetSpec {
  return {
    key,
    properName: `${key} | "quoted" name`,
    splitFilesDir: `/data/${key}/splits`,
    featureFilesDir: `/data/${key}/features`,
    classifierFile: `/data/${key}/cls.pth`,
    classifierLoader: 'LinearClassifierLoader',
    nnFilesDir: `/data/${key}/nns`,
    baselineEvalFile: `/data/${key}/baseline.pkl`,
    labelNamesFile: null,
    datagrps: ['train', 'val', 'test'],
    configFile: '/registry/datasets.toml',
    ...over,
  };
}

const parsed = (text: string) => parseDatasetsToml(text, '/registry/datasets.toml', { cwd: '/', exists: () => true });

const HAND_WRITTEN = `# my datasets
# (kept by hand)

# the ImageNet one
[imagenet_lt]
split_files_dir = "/d/splits"   # note
feature_files_dir = "/d/feats"
classifier_file = "/d/cls.pth"
classifier_loader = "LinearClassifierLoader"
nn_files_dir = "/d/nns"
baseline_eval_file = "/d/base.pkl"

# places, later
[places_lt]
split_files_dir = "/p/splits"
feature_files_dir = "/p/feats"
classifier_file = "/p/cls.pth"
classifier_loader = "LinearClassifierLoader"
nn_files_dir = "/p/nns"
baseline_eval_file = "/p/base.pkl"
`;

describe('the dataset registry', () => {
  it('writes a table the datasets.toml reader reads back as the same dataset', () => {
    const odd = spec('with space.dot', {
      labelNamesFile: '/data/names.txt',
      datagrps: ['train', 'test'],
      classifierLoader: 'CombinedClassifierLoader',
    });
    const text = upsertRegistryTables('', [spec('a'), odd]);
    const { tables } = parsed(text);
    expect(tables.map((t) => [t.key, t.errors])).toEqual([
      ['a', []],
      ['with space.dot', []],
    ]);
    expect(tables[0].spec).toEqual(spec('a'));
    expect(tables[1].spec).toEqual(odd);
    // Both names of the label file: the original's template writes one, its code reads the other.
    expect(text).toContain('label_names_file = "/data/names.txt"\nlabel_names_file_path = "/data/names.txt"');
  });

  it("keeps the other tables and everyone's comments when adding, replacing and removing", () => {
    const added = upsertRegistryTables(HAND_WRITTEN, [spec('mine')]);
    expect(added.startsWith(HAND_WRITTEN)).toBe(true);
    expect(parsed(added).tables.map((t) => t.key)).toEqual(['imagenet_lt', 'places_lt', 'mine']);

    const replaced = upsertRegistryTables(added, [spec('imagenet_lt')]);
    expect(replaced).toContain('# my datasets\n# (kept by hand)\n\n# the ImageNet one\n[imagenet_lt]\nproper_name');
    expect(replaced).toContain('\n\n# places, later\n[places_lt]\n');
    expect(parsed(replaced).tables.find((t) => t.key === 'imagenet_lt')?.spec?.splitFilesDir).toBe(
      '/data/imagenet_lt/splits',
    );

    const removed = removeRegistryTable(HAND_WRITTEN, 'imagenet_lt');
    expect(removed).toBe(HAND_WRITTEN.replace(/# the ImageNet one\n\[imagenet_lt\][^]*?\n\n/, ''));
    expect(removeRegistryTable(HAND_WRITTEN, 'absent')).toBe(HAND_WRITTEN);
    expect(removeRegistryTable(upsertRegistryTables('', [spec('only')]), 'only')).toBe('');
  });

  it('edits the file atomically, and refuses a registry that is not TOML without touching it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-registry-'));
    const file = path.join(dir, 'sub', 'datasets.toml');
    expect(registryKeys(file)).toEqual([]);
    addToRegistry(file, [spec('a'), spec('b')]);
    addToRegistry(file, [spec('a', { properName: 'A again' })]);
    expect(registryKeys(file)).toEqual(['a', 'b']);
    expect(removeFromRegistry(file, 'a')).toBe(true);
    expect(removeFromRegistry(file, 'a')).toBe(false);
    expect(registryKeys(file)).toEqual(['b']);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['datasets.toml']);

    fs.writeFileSync(file, '[b\n');
    expect(() => addToRegistry(file, [spec('c')])).toThrow(/datasets\.toml: not valid TOML/);
    expect(fs.readFileSync(file, 'utf8')).toBe('[b\n');
    fs.rmSync(dir, { recursive: true });
  });
});
