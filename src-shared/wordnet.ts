/**
 * WordNet 3.0 noun hierarchy: the compact resource format and the queries the reports need
 * (names, hypernym paths, path distances, lowest common hypernyms), answering as NLTK's `Synset`
 * does with `simulate_root=False`. Pure logic: src-main/wordnet.ts reads the resource.
 *
 * A synset is named by its wnid: `n` + the 8-digit byte offset of its line in WordNet 3.0's data.noun
 * (the ImageNet convention). Hypernym edges are `@` (hypernym) and `@i` (instance hypernym) pointers;
 * like NLTK's path methods, every query follows both kinds.
 *
 * Compact format (text, one synset a line after a magic first line), tab-separated:
 * `offset(8 digits) \t lemma|lemma… \t hypernym offsets, comma-separated \t instance hypernym offsets \t gloss`
 * Lemmas have spaces where WordNet has underscores.
 */

export const WORDNET_COMPACT_MAGIC = '#wordnet-3.0-nouns-compact v1';

/** One noun synset as stored: offsets are numbers, not wnids. */
export interface WordNetRecord {
  offset: number;
  lemmas: string[];
  gloss: string;
  hypernyms: number[];
  instanceHypernyms: number[];
}

export interface Synset {
  wnid: string;
  lemmas: readonly string[];
  gloss: string;
  /** `@` pointers, as wnids, in data.noun's order. */
  hypernyms: readonly string[];
  /** `@i` pointers, as wnids. */
  instanceHypernyms: readonly string[];
}

/** A wnid that is not a WordNet 3.0 noun synset, or a malformed compact file. */
export class WordNetError extends Error {
  override name = 'WordNetError';
}

const WNID_RE = /^n(\d{8})$/;

export function isWnid(s: string): boolean {
  return WNID_RE.test(s);
}

export function wnidOf(offset: number): string {
  return 'n' + String(offset).padStart(8, '0');
}

export function formatWordNetCompact(records: readonly WordNetRecord[]): string {
  const offsets = (xs: readonly number[]) => xs.map((x) => String(x).padStart(8, '0')).join(',');
  const lines = [WORDNET_COMPACT_MAGIC];
  for (const r of records) {
    for (const field of [...r.lemmas, r.gloss]) {
      if (/[\t\n]/.test(field) || (field !== r.gloss && field.includes('|'))) {
        throw new WordNetError(`synset ${wnidOf(r.offset)}: text ${JSON.stringify(field)} holds a separator`);
      }
    }
    lines.push(
      [
        String(r.offset).padStart(8, '0'),
        r.lemmas.join('|'),
        offsets(r.hypernyms),
        offsets(r.instanceHypernyms),
        r.gloss,
      ].join('\t'),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Reads Princeton's data.noun (read as latin1, so string positions are byte offsets; the file is
 * ASCII): the license header lines and every synset, checking each offset is its line's position.
 */
export function parseDataNoun(text: string): { license: string[]; records: WordNetRecord[] } {
  const license: string[] = [];
  const records: WordNetRecord[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.startsWith('  ')) {
      // Header lines are "  <n> <text>  ": the Princeton notice.
      license.push(line.replace(/^\s+\d+ ?/, '').trimEnd());
    } else if (line.length > 0) {
      records.push(parseDataNounLine(line, start));
    }
    start = end + 1;
  }
  return { license, records };
}

/** `offset lex_filenum ss_type w_cnt(hex) word lex_id … p_cnt ptr(symbol offset pos src/tgt)… | gloss` */
function parseDataNounLine(line: string, position: number): WordNetRecord {
  const fail = (why: string): never => {
    throw new WordNetError(`data.noun, line at byte ${position}: ${why}`);
  };
  const bar = line.indexOf(' | ');
  const fields = (bar < 0 ? line : line.slice(0, bar)).trim().split(' ');
  const gloss = bar < 0 ? '' : line.slice(bar + 3).trim();
  const offset = Number(fields[0]);
  if (!/^\d{8}$/.test(fields[0] ?? '') || offset !== position)
    fail(`offset field "${fields[0]}" is not the line's position`);
  if (fields[2] !== 'n') fail(`ss_type "${fields[2]}" is not a noun`);
  const wordCount = parseInt(fields[3] ?? '', 16);
  if (!(wordCount >= 1)) fail(`bad w_cnt "${fields[3]}"`);
  const lemmas: string[] = [];
  let i = 4;
  for (let w = 0; w < wordCount; w++, i += 2) lemmas.push((fields[i] ?? fail('missing word')).replaceAll('_', ' '));
  const pointerCount = Number(fields[i++]);
  if (!Number.isInteger(pointerCount) || i + 4 * pointerCount > fields.length) fail(`bad p_cnt "${fields[i - 1]}"`);
  const hypernyms: number[] = [];
  const instanceHypernyms: number[] = [];
  for (let p = 0; p < pointerCount; p++, i += 4) {
    if (fields[i + 2] !== 'n') continue;
    if (fields[i] === '@') hypernyms.push(Number(fields[i + 1]));
    else if (fields[i] === '@i') instanceHypernyms.push(Number(fields[i + 1]));
  }
  return { offset, lemmas, gloss, hypernyms, instanceHypernyms };
}

export function parseWordNetCompact(text: string): WordNetRecord[] {
  const lines = text.split('\n');
  if (lines[0] !== WORDNET_COMPACT_MAGIC) {
    throw new WordNetError(`not a compact WordNet file: first line should be "${WORDNET_COMPACT_MAGIC}"`);
  }
  const parseOffsets = (field: string, lineNo: number): number[] => {
    if (field === '') return [];
    return field.split(',').map((s) => {
      if (!/^\d{8}$/.test(s)) throw new WordNetError(`line ${lineNo}: bad offset "${s}"`);
      return Number(s);
    });
  };
  const records: WordNetRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length !== 5) throw new WordNetError(`line ${i + 1}: expected 5 tab-separated fields, found ${f.length}`);
    const [offset, lemmas, hyp, ihyp, gloss] = f as [string, string, string, string, string];
    if (!/^\d{8}$/.test(offset)) throw new WordNetError(`line ${i + 1}: bad offset "${offset}"`);
    if (lemmas === '') throw new WordNetError(`line ${i + 1}: synset without lemmas`);
    records.push({
      offset: Number(offset),
      lemmas: lemmas.split('|'),
      gloss,
      hypernyms: parseOffsets(hyp, i + 1),
      instanceHypernyms: parseOffsets(ihyp, i + 1),
    });
  }
  return records;
}

export class WordNet {
  private readonly synsets = new Map<string, Synset>();
  /** Hypernyms followed by instance hypernyms, duplicates dropped: the edges every query walks. */
  private readonly parents = new Map<string, readonly string[]>();
  private readonly maxDepths = new Map<string, number>();

  constructor(records: readonly WordNetRecord[]) {
    for (const r of records) {
      const wnid = wnidOf(r.offset);
      if (this.synsets.has(wnid)) throw new WordNetError(`duplicate synset ${wnid}`);
      const synset: Synset = {
        wnid,
        lemmas: r.lemmas,
        gloss: r.gloss,
        hypernyms: r.hypernyms.map(wnidOf),
        instanceHypernyms: r.instanceHypernyms.map(wnidOf),
      };
      this.synsets.set(wnid, synset);
      this.parents.set(wnid, [...new Set([...synset.hypernyms, ...synset.instanceHypernyms])]);
    }
    for (const [wnid, ps] of this.parents) {
      for (const p of ps)
        if (!this.synsets.has(p)) throw new WordNetError(`synset ${wnid} points to missing hypernym ${p}`);
    }
    // Computing every depth once proves the hierarchy acyclic, so path walks below always end.
    for (const wnid of this.synsets.keys()) this.maxDepth(wnid);
  }

  get size(): number {
    return this.synsets.size;
  }

  has(wnid: string): boolean {
    return this.synsets.has(wnid);
  }

  /** The synset, or undefined when wnid is not a WordNet 3.0 noun. */
  synset(wnid: string): Synset | undefined {
    return this.synsets.get(wnid);
  }

  /** The first lemma ("Eskimo dog" for n02109961): ImageNet's short class name. */
  name(wnid: string): string {
    return this.get(wnid).lemmas[0]!;
  }

  /**
   * Every path from a root (for nouns: entity, n00001740) down to wnid, root first and wnid last: the
   * paths of NLTK's `hypernym_paths()`. Order: each synset's hypernyms in data.noun's order, then its
   * instance hypernyms (NLTK sorts each list by synset name instead, which needs index.noun).
   */
  hypernymPaths(wnid: string): string[][] {
    this.get(wnid);
    const walk = (s: string): string[][] => {
      const ps = this.parents.get(s)!;
      if (ps.length === 0) return [[s]];
      return ps.flatMap((p) => walk(p).map((path) => [...path, s]));
    };
    return walk(wnid);
  }

  /** One path, root first: follows each synset's first hypernym (the first of hypernymPaths). */
  canonicalHypernymPath(wnid: string): string[] {
    const path = [wnid];
    for (let s = this.get(wnid).wnid; this.parents.get(s)!.length > 0;) {
      s = this.parents.get(s)![0]!;
      path.push(s);
    }
    return path.reverse();
  }

  /** Length of the longest hypernym path to a root (NLTK's `max_depth`; a root has 0). */
  maxDepth(wnid: string): number {
    this.get(wnid);
    const stack: { wnid: string; next: number }[] = [{ wnid, next: 0 }];
    const onStack = new Set<string>([wnid]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (this.maxDepths.has(top.wnid)) {
        stack.pop();
        onStack.delete(top.wnid);
        continue;
      }
      const ps = this.parents.get(top.wnid)!;
      if (top.next < ps.length) {
        const p = ps[top.next++]!;
        if (onStack.has(p)) throw new WordNetError(`hypernym cycle through ${p}`);
        if (!this.maxDepths.has(p)) {
          stack.push({ wnid: p, next: 0 });
          onStack.add(p);
        }
        continue;
      }
      this.maxDepths.set(top.wnid, ps.length === 0 ? 0 : 1 + Math.max(...ps.map((p) => this.maxDepths.get(p)!)));
    }
    return this.maxDepths.get(wnid)!;
  }

  /**
   * Fewest hypernym edges between a and b through a common hypernym (NLTK's
   * `shortest_path_distance(other, simulate_root=False)`); 0 when equal, null when they share none.
   */
  shortestPathDistance(a: string, b: string): number | null {
    if (this.get(a).wnid === this.get(b).wnid) return 0;
    const da = this.hypernymDistances(a);
    const db = this.hypernymDistances(b);
    let best = Infinity;
    for (const [s, d] of da) {
      const d2 = db.get(s);
      if (d2 !== undefined && d + d2 < best) best = d + d2;
    }
    return best === Infinity ? null : best;
  }

  /**
   * The common hypernyms (each synset counting as its own hypernym) of greatest max depth, sorted by
   * wnid: NLTK's `lowest_common_hypernyms(other)` (NLTK sorts by synset name instead).
   */
  lowestCommonHypernyms(a: string, b: string): string[] {
    const da = this.hypernymDistances(a);
    const common = [...this.hypernymDistances(b).keys()].filter((s) => da.has(s));
    if (common.length === 0) return [];
    const deepest = Math.max(...common.map((s) => this.maxDepth(s)));
    return common.filter((s) => this.maxDepth(s) === deepest).sort();
  }

  /**
   * How many levels above `a` its nearest lowest common hypernym with `b` lies, over all of a's hypernym
   * paths; null when they share none. The original's "WordNet neighbours at level ≤ L" (its semantic
   * accuracy) use this measure, not the path distance.
   */
  commonHypernymLevel(a: string, b: string): number | null {
    const lchs = new Set(this.lowestCommonHypernyms(a, b));
    let best = Infinity;
    for (const path of this.hypernymPaths(a)) {
      for (let i = path.length - 1; i >= 0; i--) {
        if (lchs.has(path[i]!)) {
          best = Math.min(best, path.length - 1 - i);
          break;
        }
      }
    }
    return best === Infinity ? null : best;
  }

  private get(wnid: string): Synset {
    const s = this.synsets.get(wnid);
    if (s === undefined) {
      throw new WordNetError(
        isWnid(wnid) ? `${wnid} is not a WordNet 3.0 noun synset` : `"${wnid}" is not a wnid (n + 8 digits)`,
      );
    }
    return s;
  }

  /** Breadth-first distances from wnid (0) to each of its hypernyms, as NLTK's `_shortest_hypernym_paths`. */
  private hypernymDistances(wnid: string): Map<string, number> {
    this.get(wnid);
    const dist = new Map<string, number>([[wnid, 0]]);
    const queue = [wnid];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (const p of this.parents.get(s)!) {
        if (!dist.has(p)) {
          dist.set(p, dist.get(s)! + 1);
          queue.push(p);
        }
      }
    }
    return dist;
  }
}

/** One line of ImageNet's synset_words.txt: `n02109961 Eskimo dog, husky`. */
export interface ImageNetClass {
  wnid: string;
  lemmas: string[];
}

export function parseSynsetWords(text: string): ImageNetClass[] {
  const out: ImageNetClass[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const m = /^(n\d{8})\s+(.+)$/.exec(line);
    if (m === null) throw new WordNetError(`line ${i + 1}: expected "nXXXXXXXX name, name…", found "${line}"`);
    out.push({ wnid: m[1]!, lemmas: m[2]!.split(', ') });
  });
  return out;
}

/** Where class names may come from when a dataset's label file does not give them. */
export interface WordNetSource {
  wordnet(): WordNet;
  /** The 1000 ImageNet-1k wnids in class-id order. */
  imagenetWnids(): readonly string[];
}

/**
 * Class names for a dataset: from its label file when it has one (a line starting with a wnid is
 * named by WordNet's first lemma, falling back to the line's own text for a wnid WordNet lacks);
 * without a label file, a 1000-class dataset is taken to be ImageNet-1k-ordered and named from
 * WordNet; anything else gets its class ids. WordNet is only loaded when a wnid needs it.
 */
export function classNamesFor(labelLines: readonly string[] | null, nClasses: number, wn: WordNetSource): string[] {
  if (labelLines === null) {
    if (nClasses === 1000) {
      const net = wn.wordnet();
      return wn.imagenetWnids().map((w) => net.name(w));
    }
    return Array.from({ length: nClasses }, (_, i) => String(i));
  }
  // As the original: blank lines are skipped, the rest are the classes in id order.
  const lines = labelLines.map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length !== nClasses) {
    throw new WordNetError(
      `the label file has ${lines.length} non-empty lines but the dataset has ${nClasses} classes`,
    );
  }
  return lines.map((line) => {
    const m = /^(n\d{8})(?:\s+(.*))?$/.exec(line);
    if (m === null) return line;
    const net = wn.wordnet();
    if (net.has(m[1]!)) return net.name(m[1]!);
    return m[2] === undefined ? m[1]! : m[2].split(',')[0]!.trim();
  });
}
