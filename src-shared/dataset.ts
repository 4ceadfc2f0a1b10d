/** The three class splits of a long-tailed dataset; "base" = many ∪ medium. */
export type SplitName = 'many' | 'medium' | 'few';
export const SPLITS: readonly SplitName[] = ['many', 'medium', 'few'];

export type ClassifierLoaderName = 'LinearClassifierLoader' | 'CombinedClassifierLoader';

/** One `[key]` table of a `datasets.toml`, with paths resolved to absolute paths. */
export interface DatasetSpec {
  key: string;
  properName: string;
  splitFilesDir: string;
  featureFilesDir: string;
  classifierFile: string;
  classifierLoader: ClassifierLoaderName;
  nnFilesDir: string;
  baselineEvalFile: string;
  labelNamesFile: string | null;
  datagrps: string[];
  /** The TOML file the entry came from (null for the bundled demo). */
  configFile: string | null;
}

/** Features and labels of one datagrp (train/val/test), shards concatenated in sorted file order. */
export interface Datagrp {
  /** n × dim, row-major. */
  feats: Float32Array;
  labels: Int32Array;
  n: number;
  files: string[];
}

/** A dataset loaded into memory, ready for the engine. */
export interface LoadedDataset {
  spec: DatasetSpec;
  nClasses: number;
  dim: number;
  datagrps: Record<string, Datagrp>;
  /** Class ids per split, ascending. */
  splits: Record<SplitName, number[]>;
  /** splitOf[c] = the split of class c. */
  splitOf: SplitName[];
  /** C × dim row-major weight and C biases (zeros where the file had None). */
  classifier: { weight: Float32Array; bias: Float32Array };
  /** Where the classifier came from (the files read, experts for a combined one). */
  classifierInfo: ClassifierInfo;
  /** Display names in class-id order; for `n02109961 Eskimo dog, husky` lines, the part after the id. */
  labelNames: string[] | null;
  /** WordNet ids (`n` + 8 digits) in class-id order when every label-names line starts with one. */
  wnids: string[] | null;
  /** A fingerprint of the source files' paths, mtimes and contents (for this machine's caches and the store). */
  fingerprint: string;
  /** A fingerprint of the contents alone, the same wherever the files lie (identifies the data across machines). */
  contentFingerprint: string;
  warnings: string[];
}

export interface ClassifierInfo {
  loader: ClassifierLoaderName;
  /** False when the file's bias was None / absent (zeros used); for a combined classifier: any expert's. */
  hasBias: boolean;
  /** 1 for a linear classifier; the number of experts for a combined one. */
  nExperts: number;
  /** Every file read, the combined file first. */
  files: string[];
}

/** Progress of `loadDataset`, one call per file read (cached datagrps count as one step). */
export interface DatasetLoadProgress {
  stage: 'splits' | 'label-names' | 'classifier' | 'features';
  /** The datagrp for the features stage. */
  datagrp?: string;
  file: string;
  done: number;
  total: number;
  /** True when the features came from the converted cache. */
  cached?: boolean;
  /** While a feature file is read (not yet counted in `done`): its bytes read so far and its size. */
  bytes?: { done: number; total: number };
}

/** The validator's report (`alphanet validate --json` prints exactly this). */
export interface DatasetReport {
  key: string;
  proper_name: string;
  n_classes: number;
  dim: number;
  datagrps: Record<
    string,
    { n_samples: number; n_files: number; n_classes: number; nan_count: number; inf_count: number }
  >;
  splits: Record<
    SplitName,
    { n_classes: number; n_train_samples: number; min_class_size: number; max_class_size: number }
  >;
  /** The split files are disjoint and their union is exactly 0..n_classes−1. */
  splits_cover_labels: boolean;
  label_names: boolean;
  wordnet_ids: boolean;
  classifier: {
    n_classes: number;
    dim: number;
    has_bias: boolean;
    loader: ClassifierLoaderName;
    n_experts: number;
  };
  /** errors is empty: the dataset can be trained on. */
  usable: boolean;
  warnings: string[];
  errors: string[];
}
