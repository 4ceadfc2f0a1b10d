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
  labelNames: string[] | null;
  /** A content fingerprint of the source files (for caches and the store). */
  fingerprint: string;
  warnings: string[];
}

/** The validator's report (`alphanet validate --json` prints exactly this). */
export interface DatasetReport {
  key: string;
  proper_name: string;
  n_classes: number;
  dim: number;
  datagrps: Record<string, { n_samples: number; n_files: number; nan_count: number; inf_count: number }>;
  splits: Record<
    SplitName,
    { n_classes: number; n_train_samples: number; min_class_size: number; max_class_size: number }
  >;
  label_names: boolean;
  wordnet_ids: boolean;
  classifier: { n_classes: number; dim: number; has_bias: boolean; loader: ClassifierLoaderName };
  warnings: string[];
  errors: string[];
}
