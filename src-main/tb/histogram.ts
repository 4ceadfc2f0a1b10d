/**
 * Histogram summaries as PyTorch's SummaryWriter.add_histogram writes them with its default
 * `bins='tensorflow'`: TensorFlow's exponential bucket edges (±1e-12 · 1.1^k up to 1e20, and 0),
 * counted as numpy.histogram counts, then trimmed to the buckets that hold values plus one empty
 * bucket on the left (TensorBoard stores only right edges).
 */
import type { TbHistogram } from './proto.ts';

let tensorflowEdges: number[] | undefined;

/** The bucket edges TensorFlow and PyTorch use by default (1,549 of them). */
export function defaultBucketEdges(): number[] {
  if (tensorflowEdges === undefined) {
    const pos: number[] = [];
    // Repeated multiplication, not powers: the same rounding as the Python that defines these edges.
    for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
    tensorflowEdges = [...pos.map((v) => -v).reverse(), 0, ...pos];
  }
  return tensorflowEdges;
}

/** numpy.histogram counts for ascending edges: [e_i, e_i+1), the last bucket closed; values outside are dropped. */
function countBuckets(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= edges[0]! && x <= edges[last]!)) continue;
    // The largest j with edges[j] <= x.
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    counts[Math.min(lo, last - 1)]!++;
  }
  return counts;
}

export function makeHistogram(values: ArrayLike<number>, edges: readonly number[] = defaultBucketEdges()): TbHistogram {
  if (values.length === 0) throw new RangeError('a histogram needs at least one value');
  if (edges.length < 2 || edges.some((e, i) => i > 0 && !(e > edges[i - 1]!))) {
    throw new RangeError('histogram edges must be at least two, strictly increasing');
  }
  const counts = countBuckets(values, edges);
  const first = counts.findIndex((c) => c > 0);
  if (first < 0)
    throw new RangeError(`no value lies within the histogram's edges [${edges[0]}, ${edges[edges.length - 1]}]`);
  let lastNonZero = counts.length - 1;
  while (counts[lastNonZero] === 0) lastNonZero--;
  // Bucket j of the result has right edge edges[first + j]; one empty bucket precedes the first non-empty one.
  const bucket = first > 0 ? counts.slice(first - 1, lastNonZero + 1) : [0, ...counts.slice(0, lastNonZero + 1)];
  const bucketLimit = edges.slice(first, lastNonZero + 2);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
    sumSquares += x * x;
  }
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}
