import type { TensorData } from '../../src-shared/tensor.ts';
import { halfToNumber, product } from './dtypes.ts';
import { pyRepr } from './pyrepr.ts';
import { isTensor, PyBytes, PyDict, PyGlobal, PyObject, PySet, PyTuple, type PyKey, type PyValue } from './pyvalue.ts';

/** Tensors up to this many elements are shown with their values; larger ones get a summary. */
export const MAX_SHOWN_ELEMENTS = 10_000;
/** Containers nest at most this deep in the output, and at most this many values are shown in all. */
const MAX_DEPTH = 100;
const MAX_NODES = 200_000;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function element(t: TensorData, i: number): number | bigint {
  const v = t.data[i];
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return halfToNumber(v as number, t.dtype);
  return v;
}

/** int64 as a JSON number when exact (|v| ≤ 2**53), else a string; non-finite floats as strings. */
function jsonNumber(v: number | bigint): Json {
  if (typeof v === 'bigint') return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString();
  return Number.isFinite(v) ? v : String(v);
}

/** min / max / mean of a numeric tensor (NaNs skipped), for tensors too large to list. */
export function tensorSummary(t: TensorData): { min: number; max: number; mean: number } | null {
  const n = t.data.length;
  if (n === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = Number(element(t, i));
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  return count === 0 ? null : { min, max, mean: sum / count };
}

function nestedValues<T>(t: TensorData, leaf: (v: number | bigint) => T): T | unknown[] {
  // An empty tensor is shown as [] whatever its shape (as numpy does): shape (2**40, 0) must never
  // expand into 2**40 empty rows.
  if (t.data.length === 0 && t.shape.length > 0) return [];
  const build = (dim: number, offset: number): T | unknown[] => {
    if (dim === t.shape.length) return leaf(element(t, offset));
    const step = product(t.shape.slice(dim + 1));
    return Array.from({ length: t.shape[dim] }, (_, i) => build(dim + 1, offset + i * step));
  };
  return build(0, 0);
}

function keyText(key: PyKey): string {
  return typeof key === 'string' ? key : pyRepr(key);
}

/**
 * A JSON rendering of a decoded file: tensors as `{dtype, shape, data}` (nested lists; above
 * MAX_SHOWN_ELEMENTS a `summary` instead of `data`), dicts as objects, lists/tuples as arrays, bytes as
 * `{bytes: base64}`, placeholders as `{class, args, state}`, class references as `{global}`.
 */
export function toInspectJson(value: PyValue): Json {
  let nodes = 0;
  const active = new Set<object>();
  const walk = (v: PyValue, depth: number): Json => {
    if (++nodes > MAX_NODES) return '...';
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return jsonNumber(v);
    if (depth > MAX_DEPTH) return '...';
    if (active.has(v)) return { recursive: true };
    active.add(v);
    try {
      if (isTensor(v)) {
        const out: { [key: string]: Json } = { dtype: v.dtype, shape: v.shape };
        if (v.data.length <= MAX_SHOWN_ELEMENTS) out.data = nestedValues(v, jsonNumber) as Json;
        else if (v.dtype !== 'bool') out.summary = tensorSummary(v);
        return out;
      }
      if (v instanceof PyBytes) {
        return v.length <= MAX_SHOWN_ELEMENTS
          ? { bytes: Buffer.from(v.bytes).toString('base64') }
          : { bytes: null, length: v.length };
      }
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
      if (v instanceof PyTuple) return v.items.map((x) => walk(x, depth + 1));
      if (v instanceof PySet) return { [v.frozen ? 'frozenset' : 'set']: v.items.map((x) => walk(x, depth + 1)) };
      if (v instanceof PyDict) {
        const out: { [key: string]: Json } = {};
        for (const [k, x] of v.entries) out[keyText(k)] = walk(x, depth + 1);
        return out;
      }
      if (v instanceof PyGlobal) return { global: v.fullName };
      if (v instanceof PyObject) {
        const out: { [key: string]: Json } = {
          class: v.pyClass,
          args: v.args.map((x) => walk(x, depth + 1)),
          state: walk(v.state, depth + 1),
        };
        if (v.kwargs) out.kwargs = walk(v.kwargs, depth + 1);
        if (v.listItems) out.items = walk(v.listItems, depth + 1);
        if (v.dictItems) out.entries = walk(v.dictItems, depth + 1);
        return out;
      }
      return null;
    } finally {
      active.delete(v);
    }
  };
  return walk(value, 0);
}

function formatNumber(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isInteger(v)) return Object.is(v, -0) ? '-0' : String(v);
  return Number.isFinite(v) ? String(Number(v.toPrecision(8))) : String(v);
}

function tensorLines(t: TensorData, indent: string): string[] {
  const head = `tensor ${t.dtype} [${t.shape.join(', ')}]`;
  if (t.data.length > MAX_SHOWN_ELEMENTS) {
    const s = t.dtype === 'bool' ? null : tensorSummary(t);
    const summary = s ? `  min ${formatNumber(s.min)}  max ${formatNumber(s.max)}  mean ${formatNumber(s.mean)}` : '';
    return [`${head}  (${t.data.length} elements, values not shown)${summary}`];
  }
  const render = (x: unknown): string => (Array.isArray(x) ? `[${x.map(render).join(', ')}]` : String(x));
  const values = nestedValues(t, formatNumber);
  if (t.shape.length <= 1 || t.data.length === 0) return [`${head} ${render(values)}`];
  return [head, ...(values as unknown[]).map((row) => `${indent}  ${render(row)}`)];
}

function isScalar(v: PyValue): boolean {
  return v === null || typeof v !== 'object' || v instanceof PyGlobal;
}

/** A readable tree of a decoded file, one value per line, children indented by two spaces. */
export function formatInspectText(value: PyValue): string {
  const lines: string[] = [];
  let nodes = 0;
  const active = new Set<object>();
  const emit = (prefix: string, v: PyValue, indent: string, depth: number): void => {
    if (++nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1) lines.push(`${indent}... (output limit reached)`);
      return;
    }
    if (isScalar(v))
      return void lines.push(`${indent}${prefix}${v instanceof PyGlobal ? `<class ${v.fullName}>` : pyRepr(v)}`);
    const obj = v as Exclude<PyValue, null | boolean | number | bigint | string>;
    if (active.has(obj)) return void lines.push(`${indent}${prefix}<recursive reference>`);
    if (depth > MAX_DEPTH) return void lines.push(`${indent}${prefix}...`);
    active.add(obj);
    const child = `${indent}  `;
    if (isTensor(obj)) {
      const [first, ...rest] = tensorLines(obj, indent);
      lines.push(`${indent}${prefix}${first}`, ...rest);
    } else if (obj instanceof PyBytes) {
      lines.push(`${indent}${prefix}bytes (${obj.length}) ${pyRepr(obj)}${obj.length > 64 ? '...' : ''}`);
    } else if (obj instanceof PyDict) {
      const name = obj.pyClass === 'builtins.dict' ? 'dict' : obj.pyClass;
      lines.push(`${indent}${prefix}${name} (${obj.entries.size} items)`);
      for (const [k, x] of obj.entries) emit(`${pyRepr(k)}: `, x, child, depth + 1);
      if (obj.attributes !== null) emit('attributes: ', obj.attributes, child, depth + 1);
    } else if (obj instanceof PyObject) {
      lines.push(`${indent}${prefix}<object ${obj.pyClass}>`);
      if (obj.args.length > 0) emit('args: ', obj.args, child, depth + 1);
      if (obj.kwargs) emit('kwargs: ', obj.kwargs, child, depth + 1);
      if (obj.state !== null) emit('state: ', obj.state, child, depth + 1);
      if (obj.listItems) emit('items: ', obj.listItems, child, depth + 1);
      if (obj.dictItems) emit('entries: ', obj.dictItems, child, depth + 1);
    } else {
      const items = obj instanceof PyTuple || obj instanceof PySet ? obj.items : (obj as PyValue[]);
      const kind =
        obj instanceof PyTuple ? 'tuple' : obj instanceof PySet ? (obj.frozen ? 'frozenset' : 'set') : 'list';
      if (items.every(isScalar)) {
        const shown = items
          .slice(0, MAX_SHOWN_ELEMENTS)
          .map((x) => (x instanceof PyGlobal ? `<class ${x.fullName}>` : pyRepr(x)));
        const more = items.length > MAX_SHOWN_ELEMENTS ? `, ... (${items.length - MAX_SHOWN_ELEMENTS} more)` : '';
        lines.push(`${indent}${prefix}${kind} (${items.length}) [${shown.join(', ')}${more}]`);
      } else {
        lines.push(`${indent}${prefix}${kind} (${items.length} items)`);
        items.forEach((x, i) => emit(`[${i}]: `, x, child, depth + 1));
      }
    }
    active.delete(obj);
  };
  emit('', value, '', 0);
  return lines.join('\n');
}
