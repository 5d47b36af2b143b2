import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{core,ingester,sinks,query,cli}/src/**/*.test.ts', 'cli/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'pipeline',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          // Pipeline files share the engines and start role processes on fixed ports: one at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
