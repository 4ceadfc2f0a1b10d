import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../errors.ts';
import { crc32c, maskCrc } from './crc32c.ts';
import { defaultBucketEdges, makeHistogram } from './histogram.ts';
import { decodeEvent, encodeEvent } from './proto.ts';
import { readEventFile, scalarSeries } from './reader.ts';
import { frameRecord, parseRecords } from './record.ts';
import { EventFileWriter } from './writer.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-test-'));
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('CRC-32C', () => {
  it('matches the published check value and the RFC 3720 vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('continues over chunks and masks as TFRecord does', () => {
    const data = new TextEncoder().encode('123456789');
    expect(crc32c(data.subarray(4), crc32c(data.subarray(0, 4)))).toBe(0xe3069283);
    expect(maskCrc(0)).toBe(0xa282ead8);
  });
});

// Byte strings written by other TensorBoard writers, from their public test suites: TensorFlow's
// event_file_loader test (a file_version record) and tensorboard_logger's serialization test (a file
// with wall time 256.5 holding scalars v/1 = 1.5 at step 1 and v/22 = 16 at step 2).
const TF_RECORD = '1800000000000000a37f4b220900000027e6b3d5411a0d627261696e2e4576656e743a326a4d0b15';
const LOGGER_FILE =
  '1800000000000000a37f4b220900000000000870401a0d627261696e2e4576656e743a32bc98212b' +
  '19000000000000008bf1082809000000000008704010012a0c0a0a0a03762f31150000c03f2cecc087' +
  '1a00000000000000129bd82d09000000000008704010022a0d0a0b0a04762f323215000080418fa3b688';

describe('records and events', () => {
  it('encode byte for byte as TensorFlow writes them', () => {
    expect(frameRecord(encodeEvent({ wallTime: 1456445596, step: 0, fileVersion: 'brain.Event:2' }))).toEqual(
      bytes(TF_RECORD),
    );
  });

  it('decode other writers\u2019 records', () => {
    const events = parseRecords(bytes(LOGGER_FILE)).map(decodeEvent);
    expect(events).toEqual([
      { wallTime: 256.5, step: 0, fileVersion: 'brain.Event:2' },
      { wallTime: 256.5, step: 1, summary: [{ tag: 'v/1', simpleValue: 1.5 }] },
      { wallTime: 256.5, step: 2, summary: [{ tag: 'v/22', simpleValue: 16 }] },
    ]);
  });

  it('round-trip histograms and large or negative steps', () => {
    const histo = makeHistogram([0.5, -0.25, 1]);
    const e = {
      wallTime: 1.25,
      step: -3,
      summary: [
        { tag: 'h', histo },
        { tag: 's', simpleValue: -0 },
      ],
    };
    expect(decodeEvent(encodeEvent(e))).toEqual(e);
    expect(decodeEvent(encodeEvent({ wallTime: 1, step: 2 ** 40 })).step).toBe(2 ** 40);
  });
});

describe('EventFileWriter and readEventFile', () => {
  it('write what other writers write', () => {
    const w = new EventFileWriter(path.join(tmp, 'same'), { now: () => 256_500, hostname: 'host' });
    w.addScalar('v/1', 1.5, 1);
    w.addScalar('v/22', 16, 2);
    w.close();
    expect(path.basename(w.file)).toBe(`events.out.tfevents.0000000256.host.${process.pid}.0`);
    expect(fs.readFileSync(w.file).toString('hex')).toBe(LOGGER_FILE);
  });

  it('append on flush and read back scalars and histograms', () => {
    const w = new EventFileWriter(path.join(tmp, 'run'), { now: () => 1_000_000 });
    for (let step = 1; step <= 3; step++) w.addScalar('batch_loss', 1 / step, step);
    expect(readEventFile(w.file)).toHaveLength(1);
    w.flush();
    w.addHistogram('alphas/alpha_1_hist', [0.1, 0.2, -0.3], 3, 2000);
    w.close();
    expect(() => w.addScalar('x', 1, 1)).toThrow(/closed/);
    const events = readEventFile(w.file);
    expect(events).toHaveLength(5);
    expect(events[0]).toEqual({ wallTime: 1000, step: 0, fileVersion: 'brain.Event:2' });
    expect(scalarSeries(events).get('batch_loss')).toEqual([
      { step: 1, wallTime: 1000, value: 1 },
      { step: 2, wallTime: 1000, value: 0.5 },
      { step: 3, wallTime: 1000, value: Math.fround(1 / 3) },
    ]);
    expect(events[4]!.summary![0]!.histo!.num).toBe(3);
    expect(events[4]!.wallTime).toBe(2000);
  });

  it('detect a flipped byte and a truncated record, naming the file', () => {
    const w = new EventFileWriter(path.join(tmp, 'bad'));
    w.addScalar('a', 1, 1);
    w.close();
    const good = fs.readFileSync(w.file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 6]! ^= 0x01;
    const file = path.join(tmp, 'flipped.tfevents');
    fs.writeFileSync(file, flipped);
    expect(() => readEventFile(file)).toThrow(FileFormatError);
    expect(() => readEventFile(file)).toThrow(`${file}: record 1 at byte 40: data CRC mismatch`);
    const lengthFlip = Buffer.from(good);
    lengthFlip[0]! ^= 0x01;
    fs.writeFileSync(file, lengthFlip);
    expect(() => readEventFile(file)).toThrow('record 0 at byte 0: length CRC mismatch');
    fs.writeFileSync(file, good.subarray(0, good.length - 3));
    expect(() => readEventFile(file)).toThrow(/record 1 at byte 40: truncated data/);
    // Intact framing around a payload that is not an Event.
    fs.writeFileSync(file, Buffer.concat([good, frameRecord(Uint8Array.of(0x0b))]));
    expect(() => readEventFile(file)).toThrow(`${file}: record 2: Event: unsupported wire type 3 (field 1)`);
    fs.writeFileSync(file, frameRecord(Uint8Array.of(0x2a, 0x05, 0x0a)));
    expect(() => readEventFile(file)).toThrow('record 0: Event: field runs past the end');
    expect(() => readEventFile(path.join(tmp, 'missing'))).toThrow(/missing: event file not found/);
  });
});

describe('histograms', () => {
  it('use TensorFlow default buckets and trim them as PyTorch does', () => {
    const edges = defaultBucketEdges();
    // Values printed by numpy for Python's `v = 1e-12; while v < 1e20: v *= 1.1` edges.
    expect(edges).toHaveLength(1549);
    expect(edges[edges.length - 1]).toBe(9.920775621859783e19);
    expect(edges.slice(773, 777)).toEqual([-1e-12, 0, 1e-12, 1.1000000000000002e-12]);
    // numpy.histogram + torch.utils.tensorboard's trimming gave 581 buckets from -0.2656936063469233 to
    // 3.1665833053880363 for these values.
    const h = makeHistogram([0.5, -0.25, 0, 1, 1, 3, -0.001]);
    expect(h.bucket).toHaveLength(581);
    expect(h.bucketLimit).toHaveLength(581);
    expect(h.bucketLimit[0]).toBe(-0.2656936063469233);
    expect(h.bucketLimit[1]).toBe(-0.24153964213356663);
    expect(h.bucketLimit[580]).toBe(3.1665833053880363);
    expect(h.bucket.slice(0, 3)).toEqual([0, 1, 0]);
    expect(h.bucket.slice(-3)).toEqual([0, 0, 1]);
    expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(7);
    expect([h.min, h.max, h.num]).toEqual([-0.25, 3, 7]);
    expect(h.sum).toBeCloseTo(5.249, 12);
    expect(h.sumSquares).toBeCloseTo(11.312501, 12);
  });

  it('puts a leading empty bucket before the first edge and rejects empty input', () => {
    expect(makeHistogram([0, 0.5, 2], [0, 1, 2])).toMatchObject({ bucketLimit: [0, 1, 2], bucket: [0, 2, 1] });
    expect(() => makeHistogram([])).toThrow(RangeError);
    expect(() => makeHistogram([5], [0, 1])).toThrow(/no value lies within/);
  });
});
