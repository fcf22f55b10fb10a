import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const ROOT = import.meta.dirname;

/**
 * The dashboard is built at install time (`npm run build`, run by `prepare`) into dist/dashboard,
 * which `planexec serve` hands out at `/`. Everything is bundled: the page needs no network
 * beyond the planexec server itself.
 */
export default defineConfig({
  root: ROOT,
  // Relative asset URLs: the page works wherever the server mounts it.
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(ROOT, '../dist/dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
});
