import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // builds dist/ once per run (skipped when src/ is unchanged): the e2e tests spawn the built CLI
    globalSetup: ['test/e2e/global-setup.ts'],
    // after each test file: the journal of every database it closed rebuilds its ledger and flows
    setupFiles: ['test/support/projection-check-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // A worker keeps its loaded modules from one test file to the next: re-importing the module
    // graph for every file took about half the suite's time on two cores (measured 540 s → 380 s).
    // Test files share no state through modules (each builds its own world); what a test may
    // leave behind in the process is put back after every test:
    isolate: false,
    restoreMocks: true,
    unstubEnvs: true,
    unstubGlobals: true,
  },
});
