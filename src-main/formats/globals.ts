import { FileFormatError } from '../errors.ts';
import { arrayFromBuffer, numpyScalar, pickledDType, reconstructArray } from './numpy.ts';
import type { CallContext, GlobalBehaviour, GlobalResolver } from './pickle.ts';
import { LATIN1_TEXTS, toKey } from './pickle.ts';
import { PyBytes, PyDict, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from './pyvalue.ts';
import {
  loadFromBytes,
  rebuildFromType,
  rebuildParameter,
  rebuildTensor,
  rebuildTensorV3,
  STORAGE_DTYPES,
  TORCH_DTYPES,
} from './torch.ts';

/** How globals are treated: 'none' resolves only data types; 'result-file' also records known classes inertly. */
export type PlaceholderMode = 'none' | 'result-file';

function itemsOf(value: PyValue | undefined, file: string): PyValue[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (value instanceof PyTuple || value instanceof PySet) return value.items;
  throw new FileFormatError(file, 'expected a sequence');
}

function dictFrom(pyClass: string) {
  return (args: PyValue[], ctx: CallContext): PyValue => {
    const dict = new PyDict(pyClass);
    const init = args[0];
    if (init instanceof PyDict) for (const [k, v] of init.entries) dict.entries.set(k, v);
    else if (init !== undefined && init !== null && pyClass !== 'collections.defaultdict') {
      for (const pair of itemsOf(init, ctx.file)) {
        const kv = itemsOf(pair, ctx.file);
        if (kv.length !== 2) throw new FileFormatError(ctx.file, `${pyClass} built from a malformed item list`);
        dict.entries.set(toKey(kv[0], ctx.file), kv[1]);
      }
    }
    return dict;
  };
}

function setFrom(frozen: boolean) {
  return (args: PyValue[], ctx: CallContext): PyValue => {
    const items = itemsOf(args[0], ctx.file);
    for (const item of items) toKey(item, ctx.file);
    return new PySet([...items], frozen);
  };
}

/** `_codecs.encode(text, 'latin1')`: how protocol-2 pickles write `bytes` (each char is one byte). */
function encodeText(args: PyValue[], ctx: CallContext): PyValue {
  const [text, encoding = 'utf-8'] = args;
  if (text instanceof PyBytes && LATIN1_TEXTS.has(text) && typeof encoding === 'string' && /^latin-?1$/i.test(encoding))
    return text;
  if (typeof text !== 'string' || typeof encoding !== 'string')
    throw new FileFormatError(ctx.file, '_codecs.encode needs a str and an encoding');
  const enc = encoding.toLowerCase().replace(/[-_]/g, '');
  if (enc === 'latin1' || enc === 'iso88591') {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) throw new FileFormatError(ctx.file, 'latin-1 bytes contain a character above U+00FF');
      out[i] = c;
    }
    return new PyBytes(out);
  }
  if (enc === 'utf8' || enc === 'ascii') return new PyBytes(new TextEncoder().encode(text));
  throw new FileFormatError(ctx.file, `_codecs.encode with unsupported encoding '${encoding}'`);
}

function bytesFrom(args: PyValue[], ctx: CallContext): PyValue {
  const [init] = args;
  if (init === undefined) return new PyBytes(new Uint8Array(0));
  if (init instanceof PyBytes) return new PyBytes(init.bytes.slice());
  if (typeof init === 'string') return encodeText(args, ctx);
  throw new FileFormatError(ctx.file, 'bytearray built from an unsupported value');
}

/** `copyreg._reconstructor(cls, base, state)`: protocol-0/1 objects; only ever an inert record. */
function reconstructor(args: PyValue[], ctx: CallContext): PyValue {
  const cls = args[0];
  if (!(cls instanceof PyGlobal)) throw new FileFormatError(ctx.file, 'copyreg._reconstructor without a class');
  return new PyObject(cls.fullName, []);
}

const valueOnly: GlobalBehaviour = {};
const numpyHandlers = (prefix: string): Record<string, GlobalBehaviour> => ({
  [`${prefix}.multiarray._reconstruct`]: { call: reconstructArray },
  [`${prefix}.multiarray.scalar`]: { call: numpyScalar },
  [`${prefix}.numeric._frombuffer`]: { call: arrayFromBuffer },
});

/** Data globals: resolved in every mode. Each is implemented here; nothing is looked up dynamically. */
const DATA_GLOBALS: Record<string, GlobalBehaviour> = {
  'torch._utils._rebuild_tensor_v2': { call: rebuildTensor },
  'torch._utils._rebuild_tensor': { call: rebuildTensor },
  'torch._utils._rebuild_tensor_v3': { call: rebuildTensorV3 },
  'torch._utils._rebuild_parameter': { call: rebuildParameter },
  'torch._utils._rebuild_parameter_with_state': { call: rebuildParameter },
  'torch._tensor._rebuild_from_type_v2': { call: rebuildFromType },
  'torch.storage._load_from_bytes': { call: loadFromBytes },
  'torch.Tensor': valueOnly,
  'torch.nn.parameter.Parameter': valueOnly,
  'torch.Size': { call: (args, ctx) => new PyTuple(itemsOf(args[0], ctx.file)) },
  ...Object.fromEntries(Object.keys(STORAGE_DTYPES).map((name) => [`torch.${name}`, valueOnly])),
  ...Object.fromEntries(Object.keys(TORCH_DTYPES).map((name) => [`torch.${name}`, valueOnly])),
  'collections.OrderedDict': { call: dictFrom('collections.OrderedDict') },
  'collections.Counter': { call: dictFrom('collections.Counter') },
  'collections.defaultdict': { call: dictFrom('collections.defaultdict') },
  'builtins.set': { call: setFrom(false) },
  'builtins.frozenset': { call: setFrom(true) },
  'builtins.bytearray': { call: bytesFrom },
  'builtins.bytes': { call: bytesFrom },
  'builtins.slice': { call: (args) => new PyObject('builtins.slice', args) },
  'builtins.complex': { call: (args) => new PyObject('builtins.complex', args) },
  ...Object.fromEntries(
    ['list', 'dict', 'tuple', 'int', 'float', 'str', 'bool', 'object'].map((n) => [`builtins.${n}`, valueOnly]),
  ),
  '_codecs.encode': { call: encodeText },
  'numpy.ndarray': valueOnly,
  'numpy.dtype': { call: pickledDType },
  ...numpyHandlers('numpy.core'),
  ...numpyHandlers('numpy._core'),
};

/** Classes the original's result files reference: recorded as inert PyObject placeholders in 'result-file' mode. */
const PLACEHOLDER_PREFIXES = [
  'alphanet.',
  'corgy.',
  'torch.optim.',
  'torch.nn.modules.',
  'torch.utils.data.',
  'ignite.',
];
const PLACEHOLDER_NAMES = new Set([
  'torch.device',
  'torch.dtype',
  'collections.deque',
  'pathlib.PosixPath',
  'pathlib.WindowsPath',
  'pathlib.PurePosixPath',
  'pathlib.PureWindowsPath',
  'builtins.range',
  'builtins.type',
  'datetime.datetime',
  'datetime.date',
  'datetime.timedelta',
]);
const PLACEHOLDER_HANDLERS: Record<string, GlobalBehaviour> = { 'copyreg._reconstructor': { call: reconstructor } };

/** Modules and names that can run code or touch the system: refused in every mode, with their own message. */
const DANGEROUS_MODULES = new Set([
  'os',
  'posix',
  'nt',
  'posixpath',
  'ntpath',
  'subprocess',
  'sys',
  'importlib',
  'shutil',
  'socket',
  'pickle',
  '_pickle',
  'marshal',
  'ctypes',
  'runpy',
  'code',
  'codeop',
  'pty',
  'platform',
  'webbrowser',
  'types',
  'operator',
  'functools',
  'io',
  '_io',
  'multiprocessing',
  'threading',
  '_thread',
  'signal',
  'tempfile',
  'inspect',
  'gc',
  'asyncio',
  'urllib',
  'http',
  'ftplib',
  'smtplib',
  'telnetlib',
  'requests',
  'cffi',
  'dill',
  'cloudpickle',
  'joblib',
  'pydoc',
  'timeit',
  'trace',
  'pdb',
  'bdb',
  'commands',
  'popen2',
  'spawn',
  'glob',
  'zipimport',
  'pkgutil',
  'site',
  'distutils',
  'setuptools',
]);
const DANGEROUS_NAMES = new Set([
  'eval',
  'exec',
  'execfile',
  'compile',
  'open',
  'getattr',
  'setattr',
  'delattr',
  '__import__',
  'input',
  'breakpoint',
  'globals',
  'locals',
  'vars',
  'exit',
  'quit',
  'help',
  'memoryview',
  'system',
  'popen',
  'apply',
  'load',
  'loads',
  '__reduce__',
  '__reduce_ex__',
  '__builtins__',
  '__getattribute__',
  '__class__',
  '__subclasses__',
]);
const DANGEROUS_DOTTED = [
  'torch.hub.',
  'torch.serialization.',
  'torch.load',
  'torch.jit.',
  'torch._C',
  'torch.ops.',
  'numpy.load',
  'numpy.lib.',
  'numpy.testing.',
  'numpy.f2py.',
  'numpy.distutils.',
  'builtins.globals',
];

function isDangerous(module: string, name: string): boolean {
  const full = `${module}.${name}`;
  return (
    DANGEROUS_MODULES.has(module.split('.')[0]) ||
    DANGEROUS_NAMES.has(name) ||
    // Protocol 4 allows attribute paths (`os.system` looked up on some module): never followed here.
    name.includes('.') ||
    DANGEROUS_DOTTED.some((p) => full.startsWith(p))
  );
}

/** The resolver for a mode: data globals always, listed result-file classes as placeholders, the rest an error. */
export function makeResolver(mode: PlaceholderMode = 'none'): GlobalResolver {
  return (module, name, file) => {
    const full = `${module}.${name}`;
    if (isDangerous(module, name)) {
      throw new FileFormatError(file, `forbidden global '${full}' in pickle: it could run code, so it is never loaded`);
    }
    const data = DATA_GLOBALS[full];
    if (data !== undefined) return data;
    if (mode === 'result-file') {
      const handler = PLACEHOLDER_HANDLERS[full];
      if (handler !== undefined) return handler;
      if (PLACEHOLDER_NAMES.has(full) || PLACEHOLDER_PREFIXES.some((p) => full.startsWith(p))) return 'placeholder';
      throw new FileFormatError(
        file,
        `global '${full}' in pickle is not on the allow-list (neither data nor a known result-file class)`,
      );
    }
    throw new FileFormatError(
      file,
      `global '${full}' in pickle is not on the allow-list of data types (tensors, arrays, containers); it is not loaded`,
    );
  };
}
