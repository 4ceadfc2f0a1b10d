/**
 * The hostile inputs of issue 14, one test per case: each must end in a FileFormatError naming the
 * file (or decode to something small), never block, expand per index or grow by gigabytes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileFormatError } from '../errors.ts';
import { readTextOrFail } from '../files.ts';
import { formatInspectText, toInspectJson } from './describe.ts';
import { pickleValue } from './write.ts';
import { decodePythonBytes, readPythonFile } from './read.ts';
import { ReadBudget } from './source.ts';
import { PyTuple } from './pyvalue.ts';
import { isTensor } from './pyvalue.ts';
import {
  buildNpy,
  buildSafetensors,
  buildZip,
  SELF_REFERENCING_KEY,
  sharedKeyDag,
} from '../../test/support/hostile-files.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-hostile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function decodeError(bytes: Uint8Array, name: string, budget?: ReadBudget): FileFormatError {
  try {
    decodePythonBytes(bytes, name, budget ? { budget } : {});
  } catch (error) {
    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as Error).message.startsWith(`${name}: `)).toBe(true);
    return error as FileFormatError;
  }
  throw new Error(`${name} decoded`);
}

describe('devices, FIFOs and folders are refused by name', () => {
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);

  it.each([
    ['/dev/zero', /character device/],
    [fifo, /named pipe/],
    [dir, /folder/],
  ])('%s as a data file', async (file, kind) => {
    await expect(readPythonFile(file)).rejects.toThrow(kind);
    await expect(readPythonFile(file)).rejects.toBeInstanceOf(FileFormatError);
  });

  it.each([
    ['/dev/zero', /label names file is a character device/],
    [fifo, /label names file is a named pipe/],
  ])('%s as a text file', (file, message) => {
    expect(() => readTextOrFail(file, 'label names file')).toThrow(message);
  });

  it('a text file over its size cap is refused before it is read', () => {
    const big = path.join(dir, 'big.txt');
    fs.writeFileSync(big, 'x'.repeat(1000));
    expect(() => readTextOrFail(big, 'split file', 999)).toThrow(/split file is 1000 bytes, more than the 999/);
  });
});

describe('pickle work is bounded by the input', () => {
  it("the issue's 16-byte self-referencing tuple key is unhashable, as in Python", () => {
    expect(decodeError(SELF_REFERENCING_KEY, 'key.pkl').message).toMatch(/unhashable list/);
  });

  it('a key DAG of 40 shared tuples stops at the nesting cap', () => {
    expect(decodeError(sharedKeyDag(40), 'dag.pkl').message).toMatch(/dict key nested more than 32 deep/);
  });

  it('a key DAG of 30 shared tuples (text 2**30 long) stops at the key-text cap', () => {
    expect(decodeError(sharedKeyDag(30), 'dag.pkl').message).toMatch(/dict key or set item longer than 65536/);
  });

  it('shared tuple keys that stay small still decode, each text computed once', () => {
    const value = decodePythonBytes(sharedKeyDag(8), 'dag8.pkl');
    expect(value).toBeTruthy();
  });

  it('tuple keys keep their Python text', () => {
    const bytes = pickleValue(new PyTuple([new PyTuple([1, 'a']), 2]));
    const value = decodePythonBytes(bytes, 'plain.pkl');
    expect(value).toBeInstanceOf(PyTuple);
  });
});

describe('bombs and overlaps run out of the shared budget or are refused', () => {
  const pickleOfOne = pickleValue(1);

  it('a torch zip whose data.pkl claims 3 GiB is refused before inflating', () => {
    const zip = buildZip([{ name: 'archive/data.pkl', data: pickleOfOne, deflate: true, declaredSize: 3 * 2 ** 30 }]);
    expect(decodeError(zip, 'bomb.pt').message).toMatch(/zip entry archive\/data\.pkl .* past \d+ bytes/);
  });

  it('an honest bomb (16 MiB of zeros) fails against a 1 MiB budget', () => {
    const zeros = new Uint8Array(16 * 2 ** 20);
    const zip = buildZip([
      { name: 'a.npy', data: buildNpy([zeros.length / 4]).subarray(0, 128 + zeros.length), deflate: true },
    ]);
    expect(zip.length).toBeLessThan(100_000);
    expect(decodeError(zip, 'bomb.npz', new ReadBudget('bomb.npz', 2 ** 20)).message).toMatch(
      /ALPHANET_READ_EXPANSION/,
    );
  });

  it('the default budget is a multiple of the file size that ALPHANET_READ_EXPANSION overrides', () => {
    expect(ReadBudget.forSize('f', 1000, {}).limit).toBe(64 * 1000 + 256 * 2 ** 20);
    expect(ReadBudget.forSize('f', 1000, { ALPHANET_READ_EXPANSION: '2' }).limit).toBe(2 * 1000 + 256 * 2 ** 20);
  });

  it('an .npz with 4 entries sharing one stream is refused', () => {
    const npy = buildNpy([4]);
    const zip = buildZip([
      { name: 'a.npy', data: npy, deflate: true },
      ...['b', 'c', 'd'].map((n) => ({ name: `${n}.npy`, data: npy, shareWith: 0 })),
    ]);
    expect(decodeError(zip, 'shared.npz').message).toMatch(/share a local header/);
  });

  it('a torch zip whose storage entry overlaps data.pkl is refused', () => {
    const zip = buildZip([
      { name: 'archive/data.pkl', data: pickleOfOne },
      { name: 'archive/data/0', data: new Uint8Array(64) },
    ]);
    // Stretch the first entry over the second: rewrite its sizes in the central directory.
    const view = Buffer.from(zip);
    const cd = view.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    view.writeUInt32LE(pickleOfOne.length + 80, cd + 20);
    view.writeUInt32LE(pickleOfOne.length + 80, cd + 24);
    expect(decodeError(new Uint8Array(view), 'overlap.pt').message).toMatch(/overlaps the next entry/);
  });

  it('safetensors whose 40 tensors share the same bytes are refused', () => {
    const tensors = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `t${i}`,
        { dtype: 'F32', shape: [256], offsets: [0, 1024] as [number, number] },
      ]),
    );
    expect(decodeError(buildSafetensors(tensors, 1024), 'overlap.safetensors').message).toMatch(/overlap/);
  });

  it('safetensors tensors past the budget are refused', () => {
    const bytes = buildSafetensors({ a: { dtype: 'F32', shape: [1024], offsets: [0, 4096] } }, 4096);
    expect(decodeError(bytes, 'big.safetensors', new ReadBudget('big.safetensors', 1000)).message).toMatch(/tensor a/);
  });

  it('empty safetensors tensors next to others are not overlaps', () => {
    const bytes = buildSafetensors(
      {
        a: { dtype: 'F32', shape: [2], offsets: [0, 8] },
        e: { dtype: 'F32', shape: [0, 5], offsets: [8, 8] },
        b: { dtype: 'F32', shape: [1], offsets: [8, 12] },
      },
      12,
    );
    expect(decodePythonBytes(bytes, 'ok.safetensors')).toBeTruthy();
  });
});

describe('zero-size dimensions never expand per index', () => {
  it.each([[[100_000_000, 0]], [[2 ** 40, 0]], [[0, 2 ** 40]], [[3, 0, 2 ** 30]]])('.npy of shape %j', (shape) => {
    const value = decodePythonBytes(buildNpy(shape), 'empty.npy');
    if (!isTensor(value)) throw new Error('not a tensor');
    expect(value.shape).toEqual(shape);
    expect(toInspectJson(value)).toEqual({ dtype: 'float32', shape, data: [] });
    expect(formatInspectText(value)).toBe(`tensor float32 [${shape.join(', ')}] []`);
  });

  it('safetensors of shape (2**40, 0)', () => {
    const value = decodePythonBytes(
      buildSafetensors({ e: { dtype: 'F32', shape: [2 ** 40, 0], offsets: [0, 0] } }, 0),
      'e.safetensors',
    );
    expect(formatInspectText(value)).toMatch(/tensor float32 \[1099511627776, 0\] \[\]/);
  });
});
