import { transcode } from 'node:buffer';
import { FileFormatError } from '../errors.ts';
import { pyRepr } from './pyrepr.ts';
import { isTensor, PyBytes, PyDict, PyGlobal, PyObject, PySet, PyTuple, type PyKey, type PyValue } from './pyvalue.ts';
import { ByteReader, MemorySource, ReadBudget, subSource, type ByteSource } from './source.ts';

/** What a handler of an allow-listed global may use. */
export interface CallContext {
  readonly file: string;
  /** The same global rules, for pickles nested in this one (embedded torch storages). */
  readonly resolveGlobal: GlobalResolver;
  /** Runs `apply(state)` when BUILD targets `target` (numpy arrays and dtypes receive their contents so). */
  onBuild(target: object, apply: (state: PyValue) => void): void;
  /** Calls another global found among the arguments (e.g. the function `_rebuild_from_type_v2` wraps). */
  call(callable: PyValue, args: PyValue[]): PyValue;
  /** The file's read budget, for readers nested in this pickle (embedded torch storages). */
  readonly budget: ReadBudget;
  /** Counts bytes a handler materialises; throws past the budget (memo references could repeat a copy endlessly). */
  charge(bytes: number): void;
  /** Large arrays in the file may be left unread (ReadOptions.deferArrays). */
  readonly deferArrays: boolean;
}

/** What an allow-listed global does when called (REDUCE / NEWOBJ / INST / OBJ); without `call` it is a value only. */
export interface GlobalBehaviour {
  call?(args: PyValue[], ctx: CallContext): PyValue;
}

/**
 * Decides what a global may be: a behaviour, 'placeholder' (calls become inert PyObject records), or
 * throws FileFormatError naming the file and the global.
 */
export type GlobalResolver = (module: string, name: string, file: string) => GlobalBehaviour | 'placeholder';

export interface UnpickleOptions {
  resolveGlobal: GlobalResolver;
  /** Resolves BINPERSID / PERSID ids (torch storages); without it a persistent id is an error. */
  persistentLoad?(pid: PyValue, ctx: CallContext): PyValue;
  /** What handlers may materialise, shared with the rest of the file's reading (default: one for the pickle's own bytes). */
  budget?: ReadBudget;
  /** Handlers may leave large arrays in the file unread (ReadOptions.deferArrays). */
  deferArrays?: boolean;
}

const MAX_MARK_DEPTH = 100_000;
/** Byte values this large are deferred (file) or decoded specially (latin-1 text). */
const LARGE = 1 << 20;
/** JS strings hold at most 2**29 − 24 UTF-16 units. */
const MAX_STRING_BYTES = 2 ** 29 - 24;

/**
 * Text decoded straight to bytes (see pushText): a PyBytes that stands for the `str` argument of
 * `_codecs.encode(text, 'latin1')`, which returns it unchanged.
 */
export const LATIN1_TEXTS = new WeakSet<PyBytes>();

/** The characters in UTF-8 text whose code points are all ≤ U+00FF, one byte at a time (the reference). */
function latin1CharCountBytes(view: Uint8Array, from: number, to: number): number {
  let chars = 0;
  for (let i = from; i < to; i++) {
    const b = view[i];
    if (b < 0x80 || b === 0xc2 || b === 0xc3) chars++;
    else if (b >= 0xc0) return -1;
  }
  return chars;
}

/**
 * The number of characters in UTF-8 text whose code points are all ≤ U+00FF, or −1 when some lead
 * byte is not 0xc2/0xc3 (a code point above U+00FF, or an overlong form). Such text is one byte per
 * character below 0x80 and two (0xc2/0xc3 + a continuation) above, so characters = bytes − continuation
 * bytes. Counted four bytes at a time with lane-wise bit tricks: a byte loop mispredicts its branch on
 * every other byte of float data and was most of a protocol-2 feature file's load time.
 */
export function latin1CharCount(view: Uint8Array): number {
  const head = Math.min(view.length, (4 - (view.byteOffset % 4)) % 4);
  const words = (view.length - head) >>> 2;
  const tail = head + words * 4;
  const ends = latin1CharCountBytes(view, 0, head);
  const tailChars = latin1CharCountBytes(view, tail, view.length);
  if (ends < 0 || tailChars < 0) return -1;
  // (A view shorter than its alignment head has no words, and no aligned start to give.)
  const u32 = words > 0 ? new Uint32Array(view.buffer, view.byteOffset + head, words) : new Uint32Array(0);
  let continuations = 0;
  for (let i = 0; i < u32.length; i++) {
    const w = u32[i];
    const shifted = w << 1;
    // Bit 7 of each lane: set for continuation bytes (10xxxxxx) and for lead bytes (11xxxxxx).
    const cont = w & ~shifted & 0x80808080;
    const lead = w & shifted & 0x80808080;
    // A lead byte must be 0xc2 or 0xc3: bits 5..1 of its lane are 00001.
    const leadLanes = Math.imul(lead >>> 7, 0xff);
    if ((w & leadLanes & 0x3e3e3e3e) !== (leadLanes & 0x02020202)) return -1;
    continuations += Math.imul(cont >>> 7, 0x01010101) >>> 24;
  }
  return ends + words * 4 - continuations + tailChars;
}

/**
 * Decodes `n` bytes of UTF-8 whose code points are all ≤ U+00FF into one byte each (null when some
 * are not). Two streaming passes (count, then decode) so the output is allocated once at its exact
 * size; its end is placed at a multiple of 8 bytes, so a torch storage, which ends an embedded blob,
 * starts aligned for its typed array.
 */
function readLatin1Text(reader: ByteReader, n: number): Uint8Array | null {
  const CHUNK = 1 << 24;
  const start = reader.pos;
  // Chunks never split a character (a lead byte ≥ 0xc0 is held back for the next chunk).
  const chunks = function* (): Generator<Uint8Array> {
    for (let off = 0; off < n;) {
      let view = reader.source.read(start + off, Math.min(CHUNK, n - off));
      if (off + view.length < n && view[view.length - 1] >= 0xc0) view = view.subarray(0, view.length - 1);
      off += view.length;
      yield view;
    }
  };
  // Pass 1: the exact length, and no code point above U+00FF.
  let chars = 0;
  for (const view of chunks()) {
    const count = latin1CharCount(view);
    if (count < 0) return null;
    chars += count;
  }
  // Pass 2: native transcoding (several times faster than decoding in JS) into the exact-size output.
  const pad = (8 - (chars % 8)) % 8;
  const out = new Uint8Array(new ArrayBuffer(chars + pad), pad, chars);
  let o = 0;
  for (const view of chunks()) {
    const part = transcode(view, 'utf8', 'latin1');
    if (o + part.length > chars) return null;
    out.set(part, o);
    o += part.length;
  }
  if (o !== chars) return null;
  reader.skip(n);
  return out;
}

/**
 * Reads every deferred PyBytes still reachable from `root` (the file is closed after decoding, so
 * values that no handler consumed must be loaded now).
 */
function loadDeferredBytes(root: PyValue): void {
  const seen = new Set<object>();
  const todo: PyValue[] = [root];
  // Loops, not push(...items): a list of a million labels would overflow the argument limit.
  const add = (items: Iterable<PyValue | null>): void => {
    for (const item of items) if (item !== null && typeof item === 'object') todo.push(item);
  };
  while (todo.length > 0) {
    const v = todo.pop();
    if (v === null || v === undefined || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof PyBytes) void v.bytes;
    else if (Array.isArray(v)) add(v);
    else if (v instanceof PyTuple || v instanceof PySet) add(v.items);
    else if (v instanceof PyDict) {
      add(v.entries.values());
      add([v.attributes]);
    } else if (v instanceof PyObject) add([...v.args, v.state, v.kwargs, v.dictItems, ...(v.listItems ?? [])]);
  }
}

const MAX_LONG_BYTES = 4096;

/** MARKs are not stack items: each MARK saves the current stack on a metastack, as CPython does. */
type Stack = PyValue[];

function normaliseInt(v: bigint): number | bigint {
  return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
}

function decodeLong(bytes: Uint8Array): number | bigint {
  const n = bytes.length;
  if (n === 0) return 0;
  let hex = '';
  for (let i = n - 1; i >= 0; i--) hex += bytes[i].toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if (bytes[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
  return normaliseInt(v);
}

function parseIntText(text: string, file: string): number | bigint {
  const t = text.trim().replace(/L$/, '');
  if (!/^[+-]?\d+$/.test(t)) throw new FileFormatError(file, `malformed integer '${text.slice(0, 40)}' in pickle`);
  return normaliseInt(BigInt(t));
}

/** Python 2 module names that protocol ≤ 2 pickles carry (pickle's fix_imports mapping, the part that matters). */
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

/** A dict key's text (the canonical form of tuple keys) is at most this long: real keys are names and small tuples. */
export const MAX_KEY_TEXT = 64 * 1024;
/** Tuple keys nest at most this deep. */
const MAX_KEY_DEPTH = 32;

/**
 * Key texts of the tuples and frozensets already used as keys. Memo references let a 16-byte pickle
 * build a tuple whose text doubles at every level (a DAG of shared items), so each object's text is
 * computed once and the length is capped: the work is bounded by the input size.
 */
const keyTexts = new WeakMap<object, string>();

function keyText(value: PyValue, file: string, depth: number): string {
  if (value === null || typeof value !== 'object') return pyRepr(value);
  if (value instanceof PyBytes) return pyRepr(value);
  if (value instanceof PyGlobal) return `<${value.fullName}>`;
  if (!(value instanceof PyTuple || (value instanceof PySet && value.frozen))) {
    // Python's own rule: a tuple is hashable only when its items are (a list inside one is not).
    const type = Array.isArray(value)
      ? 'list'
      : value instanceof PyDict
        ? 'dict'
        : value instanceof PySet
          ? 'set'
          : 'object';
    throw new FileFormatError(file, `pickle uses an unhashable ${type} as a dict key or set item`);
  }
  const known = keyTexts.get(value);
  if (known !== undefined) return known;
  if (depth > MAX_KEY_DEPTH)
    throw new FileFormatError(file, `pickle uses a dict key nested more than ${MAX_KEY_DEPTH} deep`);
  let length = 0;
  const inner = value.items.map((item) => {
    const text = keyText(item, file, depth + 1);
    length += text.length + 2;
    if (length > MAX_KEY_TEXT)
      throw new FileFormatError(file, `pickle uses a dict key or set item longer than ${MAX_KEY_TEXT} characters`);
    return text;
  });
  const text =
    value instanceof PyTuple
      ? inner.length === 1
        ? `(${inner[0]},)`
        : `(${inner.join(', ')})`
      : `frozenset({${inner.join(', ')}})`;
  keyTexts.set(value, text);
  return text;
}

/** The canonical Map key for a hashable Python value (tuples as their Python text, see pyRepr). */
export function toKey(value: PyValue, file: string): PyKey {
  if (value === null || typeof value !== 'object') return value;
  return keyText(value, file, 0);
}

/** Unescapes a protocol-0 quoted string (`S'...'`, Python 2 str) or raw-unicode-escape text (`V...`). */
function unescapeText(text: string, file: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\\'"nrt0])/g, (_m, esc: string) => {
    switch (esc[0]) {
      case 'x':
      case 'u':
      case 'U': {
        const code = parseInt(esc.slice(1), 16);
        if (code > 0x10ffff) throw new FileFormatError(file, 'invalid escape in pickle text');
        return String.fromCodePoint(code);
      }
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '0':
        return '\0';
      default:
        return esc;
    }
  });
}

function typeName(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v !== 'object') return typeof v;
  if (Array.isArray(v)) return 'list';
  if (isTensor(v)) return 'tensor';
  return v.constructor.name;
}

/**
 * Runs one pickle (protocols 0–5) from `reader.pos` up to and including its STOP opcode, leaving the
 * reader after it. Nothing is ever executed: globals go through `options.resolveGlobal`, and every
 * length is checked against the bytes that remain, so hostile input fails with FileFormatError.
 */
export function unpickle(reader: ByteReader, options: UnpickleOptions): PyValue {
  const file = reader.name;
  const fail = (problem: string): never => {
    throw new FileFormatError(file, `${problem} (pickle offset ${reader.pos})`);
  };
  const budget = options.budget ?? ReadBudget.forSize(file, reader.end - reader.pos);
  const buildHooks = new WeakMap<object, (state: PyValue) => void>();
  const behaviours = new Map<PyGlobal, ReturnType<GlobalResolver>>();
  const ctx: CallContext = {
    file,
    resolveGlobal: options.resolveGlobal,
    onBuild: (target, apply) => buildHooks.set(target, apply),
    call: (callable, args) => call(callable, args, 'a call'),
    budget,
    charge: (bytes) => budget.charge(bytes, `a tensor view of ${bytes} bytes (pickle offset ${reader.pos})`),
    deferArrays: options.deferArrays === true,
  };

  let stack: Stack = [];
  const metastack: Stack[] = [];
  const memo = new Map<number, PyValue>();

  const pop = (): PyValue => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const previous = metastack.pop();
    if (previous === undefined) fail('missing MARK');
    stack = previous as Stack;
    return items;
  };
  const memoGet = (index: number): PyValue => {
    const v = memo.get(index);
    if (v === undefined) fail(`memo entry ${index} was never stored`);
    return v as PyValue;
  };
  const memoPut = (index: number): void => {
    memo.set(index, top());
  };
  const pushGlobal = (module: string, name: string): void => {
    const mod = PY2_MODULES[module] ?? module;
    const behaviour = options.resolveGlobal(mod, name, file);
    const g = new PyGlobal(mod, name);
    behaviours.set(g, behaviour);
    stack.push(g);
  };
  const call = (callable: PyValue, args: PyValue[], how: string): PyValue => {
    if (!(callable instanceof PyGlobal)) return fail(`${how} on a ${typeName(callable)}, not a class or function`);
    const behaviour = behaviours.get(callable);
    if (behaviour === 'placeholder') return new PyObject(callable.fullName, args);
    if (behaviour?.call === undefined)
      return fail(`${how} calls ${callable.fullName}, which is only allowed as a value`);
    return behaviour.call(args, ctx);
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    let dict: PyDict;
    if (target instanceof PyDict) dict = target;
    else if (target instanceof PyObject) dict = target.dictItems ??= new PyDict();
    else return void fail(`SETITEM on a ${typeName(target)}`);
    for (let i = 0; i < items.length; i += 2) dict.entries.set(toKey(items[i], file), items[i + 1]);
  };
  const appendItems = (target: PyValue, items: PyValue[]): void => {
    let list: PyValue[];
    if (Array.isArray(target)) list = target;
    else if (target instanceof PyObject) list = target.listItems ??= [];
    else return void fail(`APPEND on a ${typeName(target)}`);
    for (const item of items) list.push(item);
  };
  const build = (target: PyValue, state: PyValue): void => {
    if (target !== null && typeof target === 'object') {
      const hook = buildHooks.get(target);
      if (hook) return hook(state);
    }
    if (target instanceof PyObject) target.state = state;
    else if (target instanceof PyDict) target.attributes = state;
    else if (state === null || (state instanceof PyDict && state.entries.size === 0)) return;
    else fail(`BUILD sets state on a ${typeName(target)}`);
  };
  const deferred: PyBytes[] = [];
  const readBytesValue = (n: number): PyBytes => {
    reader.need(n);
    if (reader.source instanceof MemorySource || n < LARGE) return new PyBytes(reader.bytes(n));
    // Large values (storages, numpy buffers) are read later by whoever consumes them, straight into
    // buffers of their own, so the file is never held twice.
    const slice = subSource(reader.source, reader.pos, n);
    reader.skip(n);
    const value = new PyBytes({ length: n, load: () => slice.read(0, n), source: slice });
    deferred.push(value);
    return value;
  };
  const pushText = (n: number): void => {
    reader.need(n);
    // Protocol ≤ 2 writes bytes as _codecs.encode(<latin-1 text>, 'latin1'), so a tensor storage
    // arrives as huge text right after that global: decode it straight to bytes instead of a string.
    const callee = stack[stack.length - 1];
    if (n >= LARGE && callee instanceof PyGlobal && callee.fullName === '_codecs.encode') {
      const bytes = readLatin1Text(reader, n);
      if (bytes !== null) {
        const value = new PyBytes(bytes);
        LATIN1_TEXTS.add(value);
        stack.push(value);
        return;
      }
    }
    if (n > MAX_STRING_BYTES) fail(`string of ${n} bytes is too long to decode`);
    stack.push(reader.utf8(n));
  };

  try {
    for (;;) {
      const op = reader.u8();
      switch (op) {
        case 0x80: {
          // PROTO
          const proto = reader.u8();
          if (proto > 5) fail(`unsupported pickle protocol ${proto}`);
          break;
        }
        case 0x95: {
          // FRAME: framing is only a buffering hint
          const n = reader.u64();
          reader.need(n);
          break;
        }
        case 0x2e: {
          // STOP
          const result = pop();
          if (deferred.length > 0) loadDeferredBytes(result);
          return result;
        }
        case 0x28: // MARK
          if (metastack.length >= MAX_MARK_DEPTH) fail('MARKs nested too deeply');
          metastack.push(stack);
          stack = [];
          break;
        case 0x30: // POP
          if (stack.length > 0) stack.pop();
          else popMark();
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          stack.push(top());
          break;
        // ---- constants and numbers
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x88: // NEWTRUE
          stack.push(true);
          break;
        case 0x89: // NEWFALSE
          stack.push(false);
          break;
        case 0x4b: // BININT1
          stack.push(reader.u8());
          break;
        case 0x4d: // BININT2
          stack.push(reader.u16());
          break;
        case 0x4a: // BININT
          stack.push(reader.i32());
          break;
        case 0x8a: {
          // LONG1
          const n = reader.u8();
          stack.push(decodeLong(reader.peekView(n)));
          reader.skip(n);
          break;
        }
        case 0x8b: {
          // LONG4
          const n = reader.i32();
          if (n < 0 || n > MAX_LONG_BYTES) fail(`integer of ${n} bytes is too large`);
          reader.need(n);
          stack.push(decodeLong(reader.peekView(n)));
          reader.skip(n);
          break;
        }
        case 0x49: {
          // INT (text); I01/I00 are protocol 0's booleans
          const text = reader.line();
          stack.push(text === '01' ? true : text === '00' ? false : parseIntText(text, file));
          break;
        }
        case 0x4c: // LONG (text)
          stack.push(parseIntText(reader.line(), file));
          break;
        case 0x47: // BINFLOAT
          stack.push(reader.f64be());
          break;
        case 0x46: {
          // FLOAT (text)
          const text = reader.line().trim();
          const v = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : text === 'nan' ? NaN : Number(text);
          if (Number.isNaN(v) && text !== 'nan') fail(`malformed float '${text.slice(0, 40)}'`);
          stack.push(v);
          break;
        }
        // ---- strings and bytes
        case 0x58: // BINUNICODE
          pushText(reader.u32());
          break;
        case 0x8c: {
          // SHORT_BINUNICODE
          const n = reader.u8();
          stack.push(reader.utf8(n));
          break;
        }
        case 0x8d: // BINUNICODE8
          pushText(reader.u64());
          break;
        case 0x56: // UNICODE (raw-unicode-escape text)
          stack.push(unescapeText(reader.line(1 << 24), file));
          break;
        case 0x53: {
          // STRING (quoted Python 2 str)
          const text = reader.line(1 << 24).trim();
          const q = text[0];
          if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q)
            fail('malformed STRING argument');
          stack.push(unescapeText(text.slice(1, -1), file));
          break;
        }
        case 0x54: {
          // BINSTRING (Python 2 str: decoded as latin-1 like pickle's encoding='latin1')
          const n = reader.i32();
          if (n < 0) fail('negative string length');
          reader.need(n);
          stack.push(reader.latin1(n));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          stack.push(reader.latin1(reader.u8()));
          break;
        case 0x43: // SHORT_BINBYTES
          stack.push(readBytesValue(reader.u8()));
          break;
        case 0x42: // BINBYTES
          stack.push(readBytesValue(reader.u32()));
          break;
        case 0x8e: // BINBYTES8
          stack.push(readBytesValue(reader.u64()));
          break;
        case 0x96: // BYTEARRAY8
          stack.push(readBytesValue(reader.u64()));
          break;
        case 0x97: // NEXT_BUFFER
        case 0x98: // READONLY_BUFFER
          fail('pickle uses out-of-band buffers, which a file cannot carry');
          break;
        // ---- containers
        case 0x5d: // EMPTY_LIST
          stack.push([]);
          break;
        case 0x7d: // EMPTY_DICT
          stack.push(new PyDict());
          break;
        case 0x29: // EMPTY_TUPLE
          stack.push(new PyTuple([]));
          break;
        case 0x8f: // EMPTY_SET
          stack.push(new PySet([]));
          break;
        case 0x85: // TUPLE1
          stack.push(new PyTuple([pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const b = pop();
          const a = pop();
          stack.push(new PyTuple([a, b]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = pop();
          const b = pop();
          const a = pop();
          stack.push(new PyTuple([a, b, c]));
          break;
        }
        // popMark() replaces `stack`, so it must run before `stack.push` is looked up.
        case 0x74: {
          // TUPLE
          const items = popMark();
          stack.push(new PyTuple(items));
          break;
        }
        case 0x6c: {
          // LIST
          const items = popMark();
          stack.push(items);
          break;
        }
        case 0x64: {
          // DICT
          const items = popMark();
          const dict = new PyDict();
          setItems(dict, items);
          stack.push(dict);
          break;
        }
        case 0x91: {
          // FROZENSET
          const items = popMark();
          stack.push(new PySet(items, true));
          break;
        }
        case 0x61: {
          // APPEND
          const item = pop();
          appendItems(top(), [item]);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = popMark();
          appendItems(top(), items);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = pop();
          const key = pop();
          setItems(top(), [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = popMark();
          setItems(top(), items);
          break;
        }
        case 0x90: {
          // ADDITEMS
          const items = popMark();
          const set = top();
          if (!(set instanceof PySet) || set.frozen) fail(`ADDITEMS on a ${typeName(set)}`);
          for (const item of items) {
            toKey(item, file);
            (set as PySet).items.push(item);
          }
          break;
        }
        // ---- memo
        case 0x68: // BINGET
          stack.push(memoGet(reader.u8()));
          break;
        case 0x6a: // LONG_BINGET
          stack.push(memoGet(reader.u32()));
          break;
        case 0x67: // GET
          stack.push(memoGet(Number(parseIntText(reader.line(), file))));
          break;
        case 0x71: // BINPUT
          memoPut(reader.u8());
          break;
        case 0x72: // LONG_BINPUT
          memoPut(reader.u32());
          break;
        case 0x70: // PUT
          memoPut(Number(parseIntText(reader.line(), file)));
          break;
        case 0x94: // MEMOIZE
          memoPut(memo.size);
          break;
        // ---- globals, calls, state
        case 0x63: {
          // GLOBAL
          const module = reader.line();
          const name = reader.line();
          pushGlobal(module, name);
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
          pushGlobal(module as string, name as string);
          break;
        }
        case 0x82:
        case 0x83:
        case 0x84:
          fail('pickle uses the copyreg extension registry, which is not supported');
          break;
        case 0x52: {
          // REDUCE
          const args = pop();
          const callable = pop();
          if (!(args instanceof PyTuple)) fail(`REDUCE arguments are a ${typeName(args)}, not a tuple`);
          stack.push(call(callable, (args as PyTuple).items, 'REDUCE'));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = pop();
          const cls = pop();
          if (!(args instanceof PyTuple)) fail(`NEWOBJ arguments are a ${typeName(args)}, not a tuple`);
          stack.push(call(cls, (args as PyTuple).items, 'NEWOBJ'));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = pop();
          const args = pop();
          const cls = pop();
          if (!(args instanceof PyTuple) || !(kwargs instanceof PyDict)) fail('NEWOBJ_EX needs a tuple and a dict');
          const obj = call(cls, (args as PyTuple).items, 'NEWOBJ_EX');
          if (obj instanceof PyObject && (kwargs as PyDict).entries.size > 0) obj.kwargs = kwargs as PyDict;
          stack.push(obj);
          break;
        }
        case 0x69: {
          // INST (protocol 0/1 instance)
          const module = reader.line();
          const name = reader.line();
          const args = popMark();
          pushGlobal(module, name);
          stack.push(call(pop(), args, 'INST'));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = popMark();
          if (items.length === 0) fail('OBJ without a class');
          stack.push(call(items[0], items.slice(1), 'OBJ'));
          break;
        }
        case 0x62: {
          // BUILD
          const state = pop();
          build(top(), state);
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = pop();
          if (!options.persistentLoad) fail('pickle references external data (persistent id) outside a torch file');
          stack.push((options.persistentLoad as NonNullable<UnpickleOptions['persistentLoad']>)(pid, ctx));
          break;
        }
        case 0x50: {
          // PERSID (text)
          const pid = reader.line();
          if (!options.persistentLoad) fail('pickle references external data (persistent id) outside a torch file');
          stack.push((options.persistentLoad as NonNullable<UnpickleOptions['persistentLoad']>)(pid, ctx));
          break;
        }
        default:
          fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    // Allocation failures and the like on hostile input: still the reader's own, named error.
    throw new FileFormatError(file, `cannot decode pickle at offset ${reader.pos}: ${(error as Error).message}`);
  }
}

/** Where a PyBytes value's bytes can be read from without loading them all (memory or a file range). */
export function bytesSource(value: PyBytes, name: string): ByteSource {
  return value.deferred?.source ?? new MemorySource(name, value.bytes);
}

/** Unpickles a whole in-memory pickle. */
export function unpickleBytes(bytes: Uint8Array, file: string, options: UnpickleOptions): PyValue {
  return unpickle(new ByteReader(new MemorySource(file, bytes)), options);
}
