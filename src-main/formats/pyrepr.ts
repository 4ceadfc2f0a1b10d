import { isTensor, PyBytes, PyDict, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from './pyvalue.ts';

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function reprBytes(b: Uint8Array): string {
  let out = "b'";
  for (const c of b) {
    if (c === 0x5c || c === 0x27) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out + "'";
}

function reprNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) <= 2 ** 53) return Object.is(v, -0) ? '-0.0' : String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/**
 * A short Python-like rendering of a value: the canonical form of tuple keys in PyDict (so `(1, 2)`
 * finds the key Python wrote as the tuple (1, 2)) and the text shown by `inspect`. Tensors and
 * objects are summarised, never expanded.
 */
export function pyRepr(value: PyValue, depth = 0): string {
  if (depth > 32) return '...';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return reprNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return reprString(value);
  if (value instanceof PyBytes) return reprBytes(value.length > 64 ? value.bytes.subarray(0, 64) : value.bytes);
  if (value instanceof PyTuple) {
    const inner = value.items.map((v) => pyRepr(v, depth + 1));
    return inner.length === 1 ? `(${inner[0]},)` : `(${inner.join(', ')})`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v, depth + 1)).join(', ')}]`;
  if (value instanceof PySet) {
    const inner = value.items.map((v) => pyRepr(v, depth + 1)).join(', ');
    return value.frozen ? `frozenset({${inner}})` : `{${inner}}`;
  }
  if (value instanceof PyDict) {
    const inner = [...value.entries].map(([k, v]) => `${pyRepr(k, depth + 1)}: ${pyRepr(v, depth + 1)}`);
    return `{${inner.join(', ')}}`;
  }
  if (value instanceof PyGlobal) return `<${value.fullName}>`;
  if (value instanceof PyObject) return `<${value.pyClass} object>`;
  if (isTensor(value)) return `tensor(${value.dtype}, [${value.shape.join(', ')}])`;
  return '?';
}
