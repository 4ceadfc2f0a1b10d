/**
 * Builds resources/wordnet/ from the Princeton WordNet 3.0 noun database shipped in the npm package
 * `wordnet@2.0.0` (a devDependency): a gzipped tab-separated file of every noun synset (see
 * src-shared/wordnet.ts for the format) and the Princeton license notice. Run with
 * `node bin/run-ts.mjs scripts/build-wordnet.ts`. The output is byte-identical on every rebuild with
 * the same Node (zlib) version: records keep data.noun's order and the gzip header carries no time.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { WORDNET_COMPACT_MAGIC, formatWordNetCompact, parseDataNoun } from '../src-shared/wordnet.ts';

const require = createRequire(import.meta.url);
const dbDir = path.join(path.dirname(require.resolve('wordnet/package.json')), 'db');
const dataNounPath = path.join(dbDir, 'data.noun');
const outDir = path.resolve(import.meta.dirname, '..', 'resources', 'wordnet');

const { license, records } = parseDataNoun(fs.readFileSync(dataNounPath, 'latin1'));
const text = formatWordNetCompact(records);
const gz = zlib.gzipSync(Buffer.from(text, 'utf8'), {
  level: 9,
  memLevel: 9,
  strategy: zlib.constants.Z_DEFAULT_STRATEGY,
});
// The gzip header's OS byte depends on the platform zlib was built for; fix it to "unknown" (255).
gz[9] = 0xff;

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'nouns.tsv.gz'), gz);
fs.writeFileSync(
  path.join(outDir, 'LICENSE'),
  [
    'The noun data in nouns.tsv.gz is derived from WordNet 3.0 (db/data.noun of the npm package',
    'wordnet@2.0.0, which redistributes the Princeton files unchanged). Its license follows.',
    '',
    ...license,
    '',
  ].join('\n'),
);
console.log(
  `${WORDNET_COMPACT_MAGIC}: ${records.length} noun synsets, ${text.length} bytes of text, ${gz.length} bytes gzipped -> ${outDir}`,
);
