import path from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { Plugin, UserConfig } from 'vite';
import { BUILD_STAMP, WORKER_ENTRIES } from './src-main/workers.ts';

const root = import.meta.dirname;

/** The renderer's build, shared by Electron and served mode (`vite.web.config.ts`). */
export const rendererConfig: UserConfig = {
  root: path.join(root, 'src-renderer'),
  // Relative asset URLs work from file:// (Electron) and from / (served mode) alike.
  base: './',
  plugins: [vue()],
  build: {
    outDir: path.join(root, 'out', 'renderer'),
    emptyOutDir: true,
    rollupOptions: { input: path.join(root, 'src-renderer', 'index.html') },
  },
};

/**
 * The main-process build: the Electron main (`index`), the CLI (`cli`, run by bin/alphanet.mjs) and
 * every worker thread as its own entry (out/main/NAME.js, where startWorker looks), sharing chunks.
 * ES modules, as the sources are: the workers use top-level await, Electron ≥ 28 and Node 20 load ESM.
 * Dependencies stay in node_modules (electron-vite's default; electron-builder packs them): the native
 * better-sqlite3 and tfjs-node must, and the wasm backend finds its .wasm files beside its package.
 */
const mainEntries = {
  index: path.join(root, 'src-main', 'electron', 'main.ts'),
  cli: path.join(root, 'src-main', 'cli', 'main.ts'),
  ...Object.fromEntries(
    Object.entries(WORKER_ENTRIES).map(([name, file]) => [name, path.join(root, 'src-main', file)]),
  ),
};

/**
 * Writes build.json beside the main bundles: when the build started and the source files it read.
 * bin/alphanet.mjs runs the built CLI only while none of them is newer (or gone), and startWorker finds
 * the folder of the worker entries by it.
 */
function buildStamp(): Plugin {
  let built = 0;
  return {
    name: 'alphanet-build-stamp',
    buildStart() {
      built = Date.now();
    },
    generateBundle() {
      const inputs = [...this.getModuleIds()]
        .filter((id) => path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`))
        .map((id) => path.relative(root, id.replace(/\?.*$/, '')));
      this.emitFile({
        type: 'asset',
        fileName: BUILD_STAMP,
        source: `${JSON.stringify({ built, inputs: [...new Set(inputs)].sort() }, null, 1)}\n`,
      });
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: path.join(root, 'out', 'main'),
      // Optional dependencies (imported by name at run time) are external too.
      externalizeDeps: { include: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
      rollupOptions: { input: mainEntries },
    },
    plugins: [buildStamp()],
  },
  preload: {
    build: {
      outDir: path.join(root, 'out', 'preload'),
      // A sandboxed preload must be one CommonJS file.
      rollupOptions: {
        input: { index: path.join(root, 'src-main', 'electron', 'preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
