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
import { WORDNET_COMPACT_MAGIC, type WordNetRecord, formatWordNetCompact } from '../src-shared/wordnet.ts';

const require = createRequire(import.meta.url);
const dbDir = path.join(path.dirname(require.resolve('wordnet/package.json')), 'db');
const dataNounPath = path.join(dbDir, 'data.noun');
const outDir = path.resolve(import.meta.dirname, '..', 'resources', 'wordnet');

/** Splits data.noun into its license header and synset records, checking each offset is the line's byte position. */
function parseDataNoun(bytes: Buffer): { license: string[]; records: WordNetRecord[] } {
  const license: string[] = [];
  const records: WordNetRecord[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.toString('latin1', start, end);
    if (line.startsWith('  ')) {
      // Header lines are "  <n> <text>  ": the Princeton notice.
      license.push(line.replace(/^\s+\d+ ?/, '').trimEnd());
    } else if (line.length > 0) {
      records.push(parseSynsetLine(line, start));
    }
    start = end + 1;
  }
  return { license, records };
}

function parseSynsetLine(line: string, byteOffset: number): WordNetRecord {
  const bar = line.indexOf(' | ');
  const fields = (bar < 0 ? line : line.slice(0, bar)).trim().split(' ');
  const gloss = bar < 0 ? '' : line.slice(bar + 3).trim();
  const fail = (why: string): never => {
    throw new Error(`${dataNounPath}: synset at byte ${byteOffset}: ${why}`);
  };
  const offset = Number(fields[0]);
  if (!/^\d{8}$/.test(fields[0] ?? '') || offset !== byteOffset) fail(`offset field ${fields[0]} is not the line's position`);
  if (fields[2] !== 'n') fail(`ss_type ${fields[2]} is not a noun`);
  const wordCount = parseInt(fields[3] ?? '', 16);
  if (!Number.isInteger(wordCount) || wordCount < 1) fail(`bad w_cnt ${fields[3]}`);
  const lemmas: string[] = [];
  let i = 4;
  for (let w = 0; w < wordCount; w++, i += 2) lemmas.push((fields[i] ?? fail('missing word')).replaceAll('_', ' '));
  const pointerCount = Number(fields[i++]);
  if (!Number.isInteger(pointerCount)) fail('bad p_cnt');
  const hypernyms: number[] = [];
  const instanceHypernyms: number[] = [];
  for (let p = 0; p < pointerCount; p++, i += 4) {
    const [symbol, target, pos] = [fields[i], Number(fields[i + 1]), fields[i + 2]];
    if (pos !== 'n') continue;
    if (symbol === '@') hypernyms.push(target);
    else if (symbol === '@i') instanceHypernyms.push(target);
  }
  return { offset, lemmas, gloss, hypernyms, instanceHypernyms };
}

const { license, records } = parseDataNoun(fs.readFileSync(dataNounPath));
const text = formatWordNetCompact(records);
const gz = zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9, memLevel: 9, strategy: zlib.constants.Z_DEFAULT_STRATEGY });
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
