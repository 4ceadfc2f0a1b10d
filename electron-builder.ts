/**
 * electron-builder's configuration (`npm run dist`): AppImage and deb on Linux, dmg on macOS, an NSIS
 * installer on Windows, each built on its own OS (native addons are not cross-compiled). A TypeScript
 * file rather than package.json's "build" so that the fuses come from their one owner.
 */
import type { Configuration } from 'electron-builder';
import { WORKBENCH_FUSES } from './src-main/electron/fuses.ts';

const config: Configuration = {
  appId: 'org.alphanet.workbench',
  productName: 'AlphaNet Workbench',
  directories: { output: 'dist', buildResources: 'resources' },
  // The build (no TypeScript), the Electron addon from scripts/electron-native.mjs, the engine's native
  // kernels (Node-API, so the one build serves Node and Electron alike), and what the app
  // reads at run time: WordNet, the ImageNet class list, the demo dataset. Production dependencies
  // come along by themselves; tsx and esbuild serve only the CLI from sources.
  files: [
    'package.json',
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    'out/native/**',
    'src-main/engine/native/build/Release/alphanet_kernels.node',
    'resources/**',
    '!node_modules/{tsx,esbuild,@esbuild}/**',
  ],
  // Native addons must be real files to load; the wasm backend's binaries too, to be safe.
  asarUnpack: ['out/native/**', '**/*.node', '**/node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm'],
  // The Electron build of better-sqlite3 is out/native's copy (the app points ALPHANET_SQLITE_BINDING at
  // it); rebuilding node_modules in place would break the CLI and the tests under plain Node.
  npmRebuild: false,
  electronFuses: WORKBENCH_FUSES,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Science',
    icon: 'resources/icons',
    maintainer: 'AlphaNet Workbench developers',
  },
  mac: { target: 'dmg', category: 'public.app-category.education', icon: 'resources/icons/512x512.png' },
  win: { target: 'nsis', icon: 'resources/icons/icon.ico' },
};

export default config;
