import { defineConfig } from 'vitest/config';

// The browser tests of the dashboard (`npm run test:browser`): they drive Debian's chromium
// (/usr/bin/chromium) with playwright-core, so `npm test` does not need a browser.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.ts'],
    setupFiles: ['test/setup/no-stray-stdout.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
