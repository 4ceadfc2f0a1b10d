/**
 * Loads the bundled WordNet 3.0 nouns (resources/wordnet/nouns.tsv.gz, built by
 * scripts/build-wordnet.ts) and ImageNet-1k's class list, each once per process.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { FileFormatError } from './errors.ts';
import { resourcesDir } from './paths.ts';
import {
  type ImageNetClass,
  WordNet,
  WordNetError,
  type WordNetSource,
  classNamesFor,
  parseSynsetWords,
  parseWordNetCompact,
} from '../src-shared/wordnet.ts';
import { readFileOrFail } from './files.ts';

export const WORDNET_FILE = path.join(resourcesDir(), 'wordnet', 'nouns.tsv.gz');
export const IMAGENET_CLASSES_FILE = path.join(resourcesDir(), 'imagenet1k-synset_words.txt');

let cachedWordNet: WordNet | undefined;
let cachedImageNet: ImageNetClass[] | undefined;

function readOrFail<T>(file: string, decode: (bytes: Buffer) => T): T {
  const bytes = readFileOrFail(file);
  try {
    return decode(bytes);
  } catch (e) {
    if (e instanceof WordNetError || (e instanceof Error && 'code' in e && String(e.code).startsWith('Z_'))) {
      throw new FileFormatError(file, e.message);
    }
    throw e;
  }
}

/** WordNet 3.0's noun synsets (~82k), parsed on first use (about half a second) and then shared. */
export function loadWordNet(file: string = WORDNET_FILE): WordNet {
  const decode = (b: Buffer) => new WordNet(parseWordNetCompact(zlib.gunzipSync(b).toString('utf8')));
  if (file !== WORDNET_FILE) return readOrFail(file, decode);
  cachedWordNet ??= readOrFail(file, decode);
  return cachedWordNet;
}

/** ImageNet-1k's classes in class-id order (sorted wnids), with their WordNet lemmas. */
export function imagenetClasses(): ImageNetClass[] {
  cachedImageNet ??= readOrFail(IMAGENET_CLASSES_FILE, (b) => {
    const classes = parseSynsetWords(b.toString('utf8'));
    if (classes.length !== 1000) throw new WordNetError(`expected 1000 classes, found ${classes.length}`);
    return classes;
  });
  return cachedImageNet;
}

/** ImageNet-1k's short class names (each synset's first lemma), in class-id order. */
export function imagenetClassNames(): string[] {
  return imagenetClasses().map((c) => c.lemmas[0]!);
}

export const bundledWordNet: WordNetSource = {
  wordnet: () => loadWordNet(),
  imagenetWnids: () => imagenetClasses().map((c) => c.wnid),
};

/**
 * A dataset's class names (see classNamesFor in src-shared/wordnet.ts) from its label file's path
 * (null when the dataset has none); a label file that does not fit is an error naming it.
 */
export function datasetClassNames(labelNamesFile: string | null, nClasses: number): string[] {
  if (labelNamesFile === null) return classNamesFor(null, nClasses, bundledWordNet);
  const lines = readOrFail(labelNamesFile, (b) => b.toString('utf8').split(/\r?\n/));
  try {
    return classNamesFor(lines, nClasses, bundledWordNet);
  } catch (e) {
    if (e instanceof WordNetError) throw new FileFormatError(labelNamesFile, e.message);
    throw e;
  }
}
