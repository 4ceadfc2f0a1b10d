/** `npm run build:web`: only the renderer, for `alphanet serve`. */
import { defineConfig } from 'vite';
import { rendererConfig } from './electron.vite.config.ts';

export default defineConfig(rendererConfig);
