/**
 * Regenerates the bundled demo dataset: `node bin/run-ts.mjs scripts/make-demo.ts [--out DIR] [--synsets FILE]`.
 * Defaults: resources/demo from resources/imagenet1k-synset_words.txt. Same bytes on every run.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeDemo } from './demo/build.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, 'resources', 'demo') },
    synsets: { type: 'string', default: path.join(root, 'resources', 'imagenet1k-synset_words.txt') },
  },
});
const outDir = path.resolve(values.out as string);
const info = await writeDemo(outDir, path.resolve(values.synsets as string));
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const test = info.baseline_acc.test;
console.log(
  `wrote ${outDir}: ${info.n_train}/${info.n_val}/${info.n_test} samples, ` +
    `${info.n_classes_per_split.many}/${info.n_classes_per_split.medium}/${info.n_classes_per_split.few} many/medium/few classes; ` +
    `baseline test few ${pct(test.few)}, medium ${pct(test.medium)}, many ${pct(test.many)}, overall ${pct(test.overall)}`,
);
