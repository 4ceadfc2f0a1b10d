/** Reads TensorBoard event files back, checking every record's CRCs. */
import { FileFormatError } from '../errors.ts';
import { readFileOrFail } from '../files.ts';
import { ProtoError, type TbEvent, decodeEvent } from './proto.ts';
import { RecordError, parseRecords } from './record.ts';

/** Every event of the file, in order; a corrupt or truncated file is a FileFormatError naming it. */
export function readEventFile(file: string): TbEvent[] {
  // Event files outgrow the text cap; 2 GiB is what one buffer can hold.
  const bytes = readFileOrFail(file, 'event file', 2 ** 31 - 1);
  try {
    return parseRecords(bytes).map((r, i) => {
      try {
        return decodeEvent(r);
      } catch (e) {
        if (e instanceof ProtoError) throw new ProtoError(`record ${i}: ${e.message}`);
        throw e;
      }
    });
  } catch (e) {
    if (e instanceof RecordError || e instanceof ProtoError) throw new FileFormatError(file, e.message);
    throw e;
  }
}

export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

/** The scalar series in some events, by tag, in file order. */
export function scalarSeries(events: readonly TbEvent[]): Map<string, ScalarPoint[]> {
  const series = new Map<string, ScalarPoint[]>();
  for (const e of events) {
    for (const v of e.summary ?? []) {
      if (v.simpleValue === undefined) continue;
      let points = series.get(v.tag);
      if (points === undefined) series.set(v.tag, (points = []));
      points.push({ step: e.step, wallTime: e.wallTime, value: v.simpleValue });
    }
  }
  return series;
}
