import { defineConfig } from 'vitest/config';

/** `npm run test:crash`: the long crash test only (the short one runs in `npm test`). */
export default defineConfig({
  test: {
    include: ['test/crash/**/*.long.ts'],
    // the crash test spawns the built CLI: build dist/ first, as for the e2e tests
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 60_000,
  },
});
