import type { TensorData } from '../../src-shared/tensor.ts';
import type { ByteSource } from './source.ts';

/**
 * Python values as the unpickler produces them. Nothing here is ever callable: globals outside the
 * allow-list either raise or (for result files) become inert PyObject records.
 */
export type PyValue =
  | null
  | boolean
  /** Python float, and int when it fits a double exactly (|v| ≤ 2**53). */
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
  | PyObject
  | PyGlobal;

/** Where the bytes of a large `bytes` value lie, so they can be read on demand (once) instead of up front. */
export interface DeferredBytes {
  readonly length: number;
  load(): Uint8Array;
  /** The bytes as a random-access source, for readers that need only parts of them. */
  readonly source?: ByteSource;
}

/**
 * `bytes`/`bytearray`. Large values read from a file are deferred: `bytes` reads them on first use,
 * and `deferred` lets a reader (e.g. of an embedded torch storage) read just the parts it needs.
 */
export class PyBytes {
  private loaded: Uint8Array | undefined;
  readonly deferred: DeferredBytes | undefined;
  constructor(content: Uint8Array | DeferredBytes) {
    if (content instanceof Uint8Array) this.loaded = content;
    else this.deferred = content;
  }
  get length(): number {
    return this.loaded?.length ?? this.deferred?.length ?? 0;
  }
  get bytes(): Uint8Array {
    if (this.loaded === undefined) this.loaded = this.deferred?.load() ?? new Uint8Array(0);
    return this.loaded;
  }
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** dict / OrderedDict / Counter; keys are hashable values (strings, numbers, bigints, tuples…), insertion-ordered. */
export class PyDict {
  readonly entries = new Map<PyKey, PyValue>();
  /** Instance attributes set by BUILD (e.g. a torch state dict's `_metadata`); null when none. */
  attributes: PyValue = null;
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
  /** Keyword arguments (NEWOBJ_EX), items added by APPENDS / SETITEMS (list and dict subclasses). */
  kwargs: PyDict | null = null;
  listItems: PyValue[] | null = null;
  dictItems: PyDict | null = null;
  constructor(
    readonly pyClass: string,
    readonly args: PyValue[] = [],
    public state: PyValue = null,
  ) {}
}

/** A reference to a class or function by name (e.g. `torch.FloatStorage`, `torch.optim.adamw.AdamW`), never resolved. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get fullName(): string {
    return `${this.module}.${this.name}`;
  }
}

export function isTensor(value: PyValue | undefined): value is TensorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'dtype' in value &&
    'shape' in value &&
    'data' in value
  );
}
