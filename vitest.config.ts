import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import { TEST_READER_PASSWORD } from './test/reader-password.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{common,core,ingester,sinks,query,cli}/src/**/*.test.ts', 'cli/**/*.test.ts'],
        },
      },
      {
        // The dashboard's logic and components: a DOM (happy-dom) and .vue files.
        plugins: [vue()],
        test: {
          name: 'web',
          include: ['web/src/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'pipeline',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          // The roles the tests start log the SQL console in with it (the global setup gives it to logflow_reader),
          // and run from the sources through tsx, whatever dist/ holds (test/compiled-cli.test.ts tests the build).
          env: { LOGFLOW_READER_PASSWORD: TEST_READER_PASSWORD, LOGFLOW_DEV: '1' },
          // Pipeline files share the engines and start role processes on fixed ports: one at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
