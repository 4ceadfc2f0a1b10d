import path from 'node:path';
import type { ClassifierInfo, ClassifierLoaderName } from '../../src-shared/dataset.ts';
import type { TensorData } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { readPythonFile, toFloat32 } from '../formats/read.ts';
import { isTensor, PyDict, PyTuple, type PyValue } from '../formats/pyvalue.ts';
import { CLASSIFIER_LOADERS } from './config.ts';
import { dictKeys } from './features.ts';

/** A linear classifier: logits = x Wᵀ + b. */
export interface LinearClassifier {
  /** nClasses × dim, row-major. */
  weight: Float32Array;
  bias: Float32Array;
  nClasses: number;
  dim: number;
  info: ClassifierInfo;
}

const FLOAT_DTYPES = new Set(['float64', 'float32', 'float16', 'bfloat16']);

function floatTensor(value: PyValue | undefined, file: string, name: string, rank: number): TensorData {
  if (!isTensor(value)) throw new FileFormatError(file, `'${name}' is not a tensor`);
  if (value.shape.length !== rank) {
    throw new FileFormatError(file, `'${name}' must be ${rank}-D, found shape (${value.shape.join(', ')})`);
  }
  if (!FLOAT_DTYPES.has(value.dtype))
    throw new FileFormatError(file, `'${name}' must hold floats, found dtype ${value.dtype}`);
  return value;
}

/**
 * A `LinearClassifierLoader` file's value: a dict (or an nn.Linear state_dict, an OrderedDict)
 * with `weight` (C × d) and `bias` (C, or None / absent → zeros). Pure: takes the unpickled value.
 */
export function linearFromValue(value: PyValue, file: string): LinearClassifier {
  if (!(value instanceof PyDict) || value.get('weight') === undefined) {
    const found =
      value instanceof PyDict ? `found keys: ${dictKeys(value).join(', ') || 'none'}` : 'found something else';
    throw new FileFormatError(file, `expected a dict with 'weight' (C × d) and 'bias' (C or None); ${found}`);
  }
  const weight = floatTensor(value.get('weight'), file, 'weight', 2);
  const [nClasses, dim] = weight.shape;
  // An empty weight holds no bytes however many rows it claims: refused before a bias is sized by them.
  if (nClasses === 0 || dim === 0)
    throw new FileFormatError(file, `'weight' has shape (${nClasses}, ${dim}): an empty classifier`);
  const rawBias = value.get('bias');
  let bias: Float32Array = new Float32Array(nClasses);
  const hasBias = rawBias !== undefined && rawBias !== null;
  if (hasBias) {
    const b = floatTensor(rawBias, file, 'bias', 1);
    if (b.shape[0] !== nClasses) {
      throw new FileFormatError(
        file,
        `'bias' has ${b.shape[0]} entries but 'weight' has ${nClasses} rows (weight, bias output shape mismatch)`,
      );
    }
    bias = toFloat32(b);
  }
  return {
    weight: toFloat32(weight),
    bias,
    nClasses,
    dim,
    info: { loader: 'LinearClassifierLoader', hasBias, nExperts: 1, files: [file] },
  };
}

/**
 * The RIDE-style combination: row c of the weight is the experts' rows c side by side, divided by the
 * number of experts, and the bias is the experts' mean, so logits equal the mean of the experts'
 * logits on their slices of the (concatenated) features. Experts must all be C × d.
 */
export function combineExperts(experts: readonly LinearClassifier[], file: string): LinearClassifier {
  if (experts.length === 0) throw new FileFormatError(file, 'the combined classifier lists no experts');
  const { nClasses, dim } = experts[0];
  experts.forEach((e, i) => {
    if (e.nClasses !== nClasses || e.dim !== dim) {
      throw new FileFormatError(
        file,
        `expert ${i} (${e.info.files[0]}) is ${e.nClasses} × ${e.dim} but expert 0 is ${nClasses} × ${dim}`,
      );
    }
  });
  const k = experts.length;
  const weight = new Float32Array(nClasses * dim * k);
  const bias = new Float32Array(nClasses);
  for (let c = 0; c < nClasses; c++) {
    for (let e = 0; e < k; e++) {
      const src = experts[e].weight;
      const out = c * dim * k + e * dim;
      for (let j = 0; j < dim; j++) weight[out + j] = src[c * dim + j] / k;
    }
    let sum = 0;
    for (const e of experts) sum += e.bias[c];
    bias[c] = sum / k;
  }
  return {
    weight,
    bias,
    nClasses,
    dim: dim * k,
    info: {
      loader: 'CombinedClassifierLoader',
      hasBias: experts.some((e) => e.info.hasBias),
      nExperts: k,
      files: [file, ...experts.flatMap((e) => e.info.files)],
    },
  };
}

/** A `CombinedClassifierLoader` file's entries, expert paths resolved against the file's folder. */
export function expertEntries(value: PyValue, file: string): { loader: ClassifierLoaderName; file: string }[] {
  const items = Array.isArray(value) ? value : value instanceof PyTuple ? value.items : null;
  if (!items) throw new FileFormatError(file, "expected a list of {'classifier_loader', 'classifier_file'} dicts");
  return items.map((item, i) => {
    const loader = item instanceof PyDict ? item.get('classifier_loader') : undefined;
    const expert = item instanceof PyDict ? item.get('classifier_file') : undefined;
    if (typeof loader !== 'string' || typeof expert !== 'string') {
      const keys =
        item instanceof PyDict ? `found keys: ${dictKeys(item).join(', ') || 'none'}` : 'found something else';
      throw new FileFormatError(
        file,
        `entry ${i}: expected a dict with string 'classifier_loader' and 'classifier_file'; ${keys}`,
      );
    }
    if (!CLASSIFIER_LOADERS.includes(loader as ClassifierLoaderName)) {
      throw new FileFormatError(
        file,
        `entry ${i}: classifier_loader '${loader}' is not one of ${CLASSIFIER_LOADERS.join(', ')}`,
      );
    }
    return { loader: loader as ClassifierLoaderName, file: path.resolve(path.dirname(file), expert) };
  });
}

/** Loads a classifier file with the named loader (combined files may nest; cycles are refused). */
export async function loadClassifier(
  file: string,
  loader: ClassifierLoaderName,
  visiting: readonly string[] = [],
): Promise<LinearClassifier> {
  if (visiting.includes(file))
    throw new FileFormatError(
      file,
      `combined classifiers refer to each other in a cycle (${[...visiting, file].join(' → ')})`,
    );
  const value = await readPythonFile(file);
  if (loader === 'LinearClassifierLoader') return linearFromValue(value, file);
  const experts: LinearClassifier[] = [];
  for (const entry of expertEntries(value, file))
    experts.push(await loadClassifier(entry.file, entry.loader, [...visiting, file]));
  return combineExperts(experts, file);
}
