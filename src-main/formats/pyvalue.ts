import type { TensorData } from '../../src-shared/tensor.ts';

/**
 * Python values as the unpickler produces them. Nothing here is ever callable: globals outside the
 * allow-list either raise or (for result files) become inert PyObject records.
 */
export type PyValue =
  | null
  | boolean
  /** Python float, and int when it fits a double exactly. */
  | number
  /** Python int beyond ±2**53 (kept exact). */
  | bigint
  | string
  | PyBytes
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | TensorData
  | PyObject;

/** `bytes`/`bytearray`: a view into the file's buffer where possible (no copy). */
export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** dict / OrderedDict / Counter; keys are hashable values (strings, numbers, bigints, tuples…), insertion-ordered. */
export class PyDict {
  readonly entries = new Map<PyKey, PyValue>();
  /** The Python class that built it, e.g. 'collections.OrderedDict'; 'builtins.dict' for plain dicts. */
  constructor(readonly pyClass = 'builtins.dict') {}
  get(key: PyKey): PyValue | undefined {
    return this.entries.get(key);
  }
}

/** A tuple key is stored as its canonical string form `(a, b)` so Map lookup works by value. */
export type PyKey = string | number | bigint | boolean | null;

export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen = false,
  ) {}
}

/**
 * An inert record of an object whose class is on the result-file allow-list (e.g.
 * `torch.optim.adamw.AdamW`): the class name, the constructor args and any state set on it. Never called.
 */
export class PyObject {
  constructor(
    readonly pyClass: string,
    readonly args: PyValue[] = [],
    public state: PyValue = null,
  ) {}
}

export function isTensor(value: PyValue | undefined): value is TensorData {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'shape' in value && 'data' in value;
}
