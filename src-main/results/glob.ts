/**
 * The subset of Python pathlib's `Path.glob` that `--res-files-pattern` needs: `*`, `?`, `[…]`
 * / `[!…]` within a path segment, and `**` as a whole segment for zero or more folders.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

function segmentSource(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}

/** A RegExp matching relative paths (with `/` separators) that the glob pattern matches. */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') source += last ? '.*' : '(?:[^/]+/)*';
    else source += segmentSource(segment) + (last ? '' : '/');
  });
  return new RegExp(`^${source}$`);
}

/**
 * Files under root whose path relative to root matches the pattern, as absolute paths in sorted
 * order (pathlib's order is the file system's; sorting makes tables reproducible). Symbolic links to
 * folders are not followed, so a link cycle cannot hang the walk.
 */
export async function globFiles(root: string, pattern: string): Promise<string[]> {
  const regex = globToRegExp(pattern.split(path.sep).join('/'));
  const found: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, relPath);
      else if (
        (entry.isFile() || (entry.isSymbolicLink() && (await fs.stat(full).catch(() => null))?.isFile())) &&
        regex.test(relPath)
      ) {
        found.push(full);
      }
    }
  };
  await walk(root, '');
  return found.sort();
}
