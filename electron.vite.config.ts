import path from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { UserConfig } from 'vite';

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

export default defineConfig({
  main: {
    build: {
      outDir: path.join(root, 'out', 'main'),
      rollupOptions: { input: { index: path.join(root, 'src-main', 'electron', 'main.ts') } },
    },
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
