/**
 * What the app cache holds, and clearing it (`alphanet cache`). The cache is only ever derived data:
 * `features/` (feature files converted to raw arrays, per source folder and datagrp), `scores/`
 * (pretrained scores X·Wᵀ and class means, per dataset) and `nns/` (neighbour tables); everything in
 * it is rebuilt on the next load that misses, so clearing it loses nothing recorded.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CacheEntry {
  /** The top-level folder: features, scores, nns, … */
  kind: string;
  /** The entry's folder name under its kind. */
  name: string;
  /** What it was built from, where known (a converted feature cache's source files). */
  sources: string[];
  bytes: number;
  /** Newest modification inside (ms since the epoch). */
  modifiedMs: number;
}

function walk(dir: string): { bytes: number; modifiedMs: number } {
  let bytes = 0;
  let modifiedMs = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, item.name);
    if (item.isDirectory()) {
      const inner = walk(file);
      bytes += inner.bytes;
      modifiedMs = Math.max(modifiedMs, inner.modifiedMs);
    } else if (item.isFile()) {
      const stat = fs.statSync(file);
      bytes += stat.size;
      modifiedMs = Math.max(modifiedMs, stat.mtimeMs);
    }
  }
  return { bytes, modifiedMs };
}

/** Source files named by the manifests of a converted-features entry. */
function featureSources(dir: string): string[] {
  const out: string[] = [];
  for (const key of fs.readdirSync(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, key, 'manifest.json'), 'utf8')) as {
        sources?: { path?: unknown }[];
      };
      for (const s of manifest.sources ?? []) if (typeof s.path === 'string') out.push(s.path);
    } catch {
      // An entry being written, or damaged: listed without its sources (the next load rebuilds it).
    }
  }
  return out;
}

/** Every entry of the cache at `root` (none when it does not exist), biggest first. */
export function listCache(root: string): CacheEntry[] {
  if (!fs.existsSync(root)) return [];
  const entries: CacheEntry[] = [];
  for (const kind of fs.readdirSync(root, { withFileTypes: true })) {
    if (!kind.isDirectory()) continue;
    const kindDir = path.join(root, kind.name);
    for (const item of fs.readdirSync(kindDir, { withFileTypes: true })) {
      const dir = path.join(kindDir, item.name);
      if (!item.isDirectory()) continue;
      entries.push({
        kind: kind.name,
        name: item.name,
        sources: kind.name === 'features' ? featureSources(dir) : [],
        ...walk(dir),
      });
    }
  }
  return entries.sort((a, b) => b.bytes - a.bytes);
}

/** Deletes everything in the cache at `root` (the folder itself stays); returns the bytes freed. */
export function clearCache(root: string): number {
  if (!fs.existsSync(root)) return 0;
  let freed = 0;
  for (const item of fs.readdirSync(root)) {
    const file = path.join(root, item);
    const stat = fs.statSync(file);
    freed += stat.isDirectory() ? walk(file).bytes : stat.size;
    fs.rmSync(file, { recursive: true, force: true });
  }
  return freed;
}
