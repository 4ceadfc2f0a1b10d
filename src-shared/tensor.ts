/** Element types a stored array can have (torch, numpy and safetensors names mapped onto these). */
export type DType =
  'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** The typed array that holds each dtype's elements. float16/bfloat16 keep their raw 16-bit words. */
export interface DTypeArrays {
  float64: Float64Array;
  float32: Float32Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type TypedArray = DTypeArrays[DType];

/** A dense, C-contiguous array as read from a file: `data.length === product(shape)`. */
export interface TensorData<D extends DType = DType> {
  dtype: D;
  shape: number[];
  data: DTypeArrays[D];
}
