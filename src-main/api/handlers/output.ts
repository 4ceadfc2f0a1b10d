/** Where files the API is asked to write may go: under the data folder in served mode. */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.ts';

/** Nearest existing ancestor's real path joined with the rest: where a path will really be written (symlinks followed). */
function realTarget(file: string): string {
  const rest: string[] = [];
  let at = file;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return file;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

/**
 * An output path a request names, confined to `root`: relative paths resolve under `root/<sub>`;
 * anything that lands outside `root` (absolute elsewhere, `..`, a symlink out) is refused.
 */
export function confinedOutput(root: string, requested: string, sub: string, what: string): string {
  const base = path.resolve(root);
  const target = path.resolve(base, sub, requested);
  const real = realTarget(target);
  const inside = (p: string, r: string) => p === r || p.startsWith(r + path.sep);
  if (!inside(target, base) || !inside(real, realTarget(base))) {
    throw new UserError(
      `${what}: '${requested}' lies outside the data folder; give a folder name (it goes under ${path.join(base, sub)})`,
    );
  }
  return target;
}
