// How the CLI loads. With a current app build (`npm run build`: out/main/cli.js and its stamp
// out/main/build.json, listing every source file it was built from and when the build started), it runs
// that: no compiling at all, the code the desktop app ships. A build is current while none of its
// source files is newer than the build or gone, so a stale build never runs old code; then the CLI runs
// from sources through the compile cache below.
//
// The CLI's compile cache. Compiling TypeScript on the fly (tsx) costs about a second on every call, so
// the first call after a source change bundles src-main/cli/main.ts with esbuild (well under a second)
// into node_modules/.cache/alphanet-cli/, and later calls load that plain JavaScript. The bundle is
// current while no file it was built from is newer than the build. `import.meta.url` / `dirname` are
// replaced by each source file's own location, so files found relative to a module (package.json,
// resources/, worker entry points, which still run through tsx) resolve exactly as from source. If
// anything about the bundle fails (esbuild missing, a read-only install), the CLI runs through tsx.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRY = path.join(ROOT, 'src-main', 'cli', 'main.ts');
/** ALPHANET_CLI_CACHE moves it (tests); it must stay inside the checkout, where node_modules resolves. */
const CLI_CACHE = process.env.ALPHANET_CLI_CACHE || path.join(ROOT, 'node_modules', '.cache', 'alphanet-cli');
const CURRENT = path.join(CLI_CACHE, 'current.json');
/** The app build's main-process folder; ALPHANET_CLI_BUILD moves it (tests). Its stamp is BUILD_STAMP of src-main/workers.ts. */
const APP_BUILD = process.env.ALPHANET_CLI_BUILD || path.join(ROOT, 'out', 'main');
/** Older builds are removed after this long (a process started from one may still load its chunks). */
const KEEP_OLD_MS = 3600_000;

/** Whether no file of `inputs` (relative to the checkout) is newer than `built` (ms) or gone. */
function upToDate(built, inputs) {
  return inputs.every((f) => fs.statSync(path.join(ROOT, f), { throwIfNoEntry: false })?.mtimeMs <= built);
}

/** The app build's CLI module when it is current, else null. */
function currentAppBuild() {
  try {
    const { built, inputs } = JSON.parse(fs.readFileSync(path.join(APP_BUILD, 'build.json'), 'utf8'));
    const cli = path.join(APP_BUILD, 'cli.js');
    return upToDate(built, inputs) && fs.existsSync(cli) ? cli : null;
  } catch {
    return null;
  }
}

/** The current cached build's main module, or null when a source file changed since (or there is none). */
function currentBuild() {
  try {
    const { root, built, dir, inputs } = JSON.parse(fs.readFileSync(CURRENT, 'utf8'));
    if (root !== ROOT || !upToDate(built, inputs)) return null;
    const main = path.join(CLI_CACHE, dir, 'main.js');
    return fs.existsSync(main) ? main : null;
  } catch {
    return null;
  }
}

/** Source files (not node_modules) keep their own location for import.meta. */
const sourceLocations = {
  name: 'source-locations',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = await fs.promises.readFile(args.path, 'utf8');
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)));
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

async function build() {
  const { build: esbuild } = await import('esbuild');
  const started = Date.now();
  const dir = `build-${started}-${process.pid}`;
  const result = await esbuild({
    entryPoints: { main: ENTRY },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: path.join(CLI_CACHE, dir),
    metafile: true,
    logLevel: 'silent',
    plugins: [sourceLocations],
  });
  const inputs = Object.keys(result.metafile.inputs).map((f) => path.relative(ROOT, path.resolve(f)));
  // Written last and renamed into place, so a concurrent call sees the old build or the whole new one.
  const tmp = `${CURRENT}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ root: ROOT, built: started, dir, inputs }));
  fs.renameSync(tmp, CURRENT);
  for (const old of fs.readdirSync(CLI_CACHE)) {
    const file = path.join(CLI_CACHE, old);
    if (old.startsWith('build-') && old !== dir && Date.now() - fs.statSync(file).mtimeMs > KEEP_OLD_MS)
      fs.rmSync(file, { recursive: true, force: true });
  }
  return path.join(CLI_CACHE, dir, 'main.js');
}

/** The CLI's `main`: from the current app build, else the current cached bundle (built first if needed), else compiled by tsx. */
export async function loadCli() {
  if (process.env.ALPHANET_CLI_FROM_SOURCE !== '1') {
    const app = currentAppBuild();
    // Not caught: a current build that fails to load is a broken build to report, not to run around.
    if (app !== null) return import(pathToFileURL(app).href);
    try {
      const main = currentBuild() ?? (await build());
      return await import(pathToFileURL(main).href);
    } catch {
      // Fall through: the sources always run.
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src-main/cli/main.ts');
}
