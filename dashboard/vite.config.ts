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
  // `npx vite --config dashboard/vite.config.ts` serves the page with live reload against a running `planexec serve`.
  server: { proxy: { '/api': { target: process.env['PLANEXEC_URL'] ?? 'http://127.0.0.1:8080', changeOrigin: true } } },
  build: {
    outDir: resolve(ROOT, '../dist/dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
});
