import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from './errors.ts';
import { WORDNET_FILE, datasetClassNames, imagenetClasses, imagenetClassNames, loadWordNet } from './wordnet.ts';
import { formatWordNetCompact, parseDataNoun } from '../src-shared/wordnet.ts';

/*
 * Expected values worked out by hand from node_modules/wordnet/db/data.noun (WordNet 3.0): grep the
 * line starting with an offset, read its `@` / `@i` pointers, repeat.
 *   02109961 Eskimo_dog husky      @ 02103406   | breed of heavy-coated Arctic sled dog
 *   02110185 Siberian_husky        @ 02109811
 *   02109811 sled_dog sledge_dog   @ 02103406
 *   02103406 working_dog           @ 02084071
 *   02084071 dog                   @ 02083346 (canine), @ 01317541 (domestic_animal)
 *   02083346 canine @ 02075296 carnivore @ 01886756 placental @ 01861778 mammal @ 01471682 vertebrate
 *            @ 01466257 chordate @ 00015388 animal
 *   01317541 domestic_animal       @ 00015388 animal
 *   00015388 animal @ 00004475 organism @ 00004258 living_thing @ 00003553 whole @ 00002684 object
 *            @ 00001930 physical_entity @ 00001740 entity (no hypernym: the root)
 *   02123045 tabby @ 02121808 domestic_cat; 02121808 @ 02121620 cat, @ 01317541 domestic_animal;
 *            02121620 cat @ 02120997 feline @ 02075296 carnivore
 *   02809866 Baton_Rouge_Bridge @i 02953197 cantilever_bridge; 03456854 Greater_New_Orleans_Bridge
 *            @i 02953197; 02953197 @ 02898711 bridge @ 04341686 structure @ 00021939 artifact
 *            @ 00003553 whole
 */
const TOP = ['n00001740', 'n00001930', 'n00002684', 'n00003553', 'n00004258', 'n00004475', 'n00015388'];
const CANINE_PATH = [
  ...TOP,
  'n01466257',
  'n01471682',
  'n01861778',
  'n01886756',
  'n02075296',
  'n02083346',
  'n02084071',
  'n02103406',
  'n02109961',
];
const DOMESTIC_PATH = [...TOP, 'n01317541', 'n02084071', 'n02103406', 'n02109961'];

describe('bundled WordNet 3.0', () => {
  const wn = loadWordNet();

  it('holds every noun synset once', () => {
    expect(wn.size).toBe(82115);
    expect(loadWordNet()).toBe(wn);
  });

  it('is what scripts/build-wordnet.ts makes of the wordnet package', () => {
    const dataNoun = path.join(
      path.dirname(createRequire(import.meta.url).resolve('wordnet/package.json')),
      'db',
      'data.noun',
    );
    const { license, records } = parseDataNoun(fs.readFileSync(dataNoun, 'latin1'));
    expect(license[13]).toBe('WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.');
    expect(formatWordNetCompact(records)).toBe(zlib.gunzipSync(fs.readFileSync(WORDNET_FILE)).toString('utf8'));
  });

  it('answers synset, name and gloss for Eskimo dog', () => {
    expect(wn.synset('n02109961')).toEqual({
      wnid: 'n02109961',
      lemmas: ['Eskimo dog', 'husky'],
      gloss: 'breed of heavy-coated Arctic sled dog',
      hypernyms: ['n02103406'],
      instanceHypernyms: [],
    });
    expect(wn.name('n02109961')).toBe('Eskimo dog');
    expect(wn.synset('n99999999')).toBeUndefined();
    expect(() => wn.name('n99999999')).toThrow(/n99999999 is not a WordNet 3.0 noun synset/);
  });

  it('lists both hypernym paths of Eskimo dog up to entity', () => {
    expect(wn.hypernymPaths('n02109961')).toEqual([CANINE_PATH, DOMESTIC_PATH]);
    expect(wn.canonicalHypernymPath('n02109961')).toEqual(CANINE_PATH);
    expect(wn.maxDepth('n02109961')).toBe(15);
    expect(wn.hypernymPaths('n00001740')).toEqual([['n00001740']]);
  });

  it('measures path distances as NLTK shortest_path_distance', () => {
    // Eskimo dog -> working dog (1) <- sled dog <- Siberian husky (2).
    expect(wn.shortestPathDistance('n02109961', 'n02110185')).toBe(3);
    expect(wn.shortestPathDistance('n02110185', 'n02109961')).toBe(3);
    expect(wn.shortestPathDistance('n02109961', 'n02109961')).toBe(0);
    // Tabby and Eskimo dog meet at domestic_animal (2 + 3), not at carnivore (4 + 4).
    expect(wn.shortestPathDistance('n02123045', 'n02109961')).toBe(5);
    // Instance hypernyms count as edges: both bridges are instances of cantilever bridge.
    expect(wn.shortestPathDistance('n02809866', 'n03456854')).toBe(2);
    // Baton Rouge Bridge -> … -> whole (5 up) and Eskimo dog -> … -> whole (via domestic animal: 7 up).
    expect(wn.shortestPathDistance('n02809866', 'n02109961')).toBe(12);
  });

  it('finds lowest common hypernyms by greatest max depth', () => {
    expect(wn.lowestCommonHypernyms('n02109961', 'n02110185')).toEqual(['n02103406']);
    // domestic_animal is common too but its max depth is 7; carnivore's is 11.
    expect(wn.lowestCommonHypernyms('n02123045', 'n02109961')).toEqual(['n02075296']);
    expect(wn.lowestCommonHypernyms('n02809866', 'n03456854')).toEqual(['n02953197']);
    // A synset is its own hypernym: dog is the lowest common hypernym of dog and Eskimo dog.
    expect(wn.lowestCommonHypernyms('n02084071', 'n02109961')).toEqual(['n02084071']);
    // Carnivore is 4 levels above tabby (domestic cat, cat, feline, carnivore).
    expect(wn.commonHypernymLevel('n02123045', 'n02109961')).toBe(4);
    expect(wn.commonHypernymLevel('n02109961', 'n02110185')).toBe(1);
  });
});

describe('ImageNet-1k classes', () => {
  it('are 1000 sorted wnids whose names are their WordNet lemmas', () => {
    const wn = loadWordNet();
    const classes = imagenetClasses();
    expect(classes).toHaveLength(1000);
    expect(classes.map((c) => c.wnid)).toEqual(classes.map((c) => c.wnid).sort());
    for (const c of classes) expect(c.lemmas).toEqual(wn.synset(c.wnid)?.lemmas);
    expect(imagenetClassNames()[0]).toBe('tench');
    expect(imagenetClassNames()[248]).toBe('Eskimo dog');
  });
});

describe('datasetClassNames', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordnet-test-'));

  it('names a 1000-class dataset without a label file from WordNet', () => {
    expect(datasetClassNames(null, 1000)).toEqual(imagenetClassNames());
    expect(datasetClassNames(null, 3)).toEqual(['0', '1', '2']);
  });

  it('reads wnid label files through WordNet and rejects files of the wrong length', () => {
    const file = path.join(tmp, 'labels.txt');
    fs.writeFileSync(file, 'n02109961 Eskimo dog, husky\r\nn02110185\nn09999999 made-up thing, other\n');
    expect(datasetClassNames(file, 3)).toEqual(['Eskimo dog', 'Siberian husky', 'made-up thing']);
    expect(() => datasetClassNames(file, 4)).toThrow(FileFormatError);
    expect(() => datasetClassNames(file, 4)).toThrow(
      `${file}: the label file has 3 non-empty lines but the dataset has 4 classes`,
    );
  });

  it('names the file when the WordNet resource is damaged', () => {
    const bad = path.join(tmp, 'bad.tsv.gz');
    fs.writeFileSync(bad, zlib.gzipSync('00000001\tx\t\t\tgloss\n'));
    expect(() => loadWordNet(bad)).toThrow(`${bad}: not a compact WordNet file`);
    fs.writeFileSync(bad, 'not gzip');
    expect(() => loadWordNet(bad)).toThrow(FileFormatError);
  });
});
