/**
 * TensorBoard's scalar smoothing: an exponential moving average debiased like Adam's moments, so the
 * first points are not pulled towards zero. Non-finite values pass through and leave the average
 * untouched; a constant series stays constant.
 */
export function debiasedEma(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`smoothing weight ${weight} is not in [0, 1]`);
  let last = 0;
  let numAccum = 0;
  const out = new Array<number>(values.length);
  // A constant series is returned as is: the debiased EMA would only add rounding noise to it.
  const finite = values.filter(Number.isFinite);
  const constant = finite.length > 0 && finite.every((v) => v === finite[0]);
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (!Number.isFinite(y) || constant) {
      out[i] = y;
      continue;
    }
    last = last * weight + (1 - weight) * y;
    numAccum++;
    const debiasWeight = weight === 1 ? 1 : 1 - Math.pow(weight, numAccum);
    out[i] = last / debiasWeight;
  }
  return out;
}
