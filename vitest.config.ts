import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import { TEST_READER_PASSWORD } from './test/reader-password.ts';

const CHAOS = 'test/chaos.test.ts';

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
          exclude: [CHAOS],
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
      {
        // The chaos run's installation is its own (a private Kafka, free ports, proxies, a schema it
        // migrates itself), so it can run beside the pipeline files, which shortens the suite by its
        // length. On two cores the load of both made timing-sensitive pipeline tests fail, so by default
        // it runs in a group of its own, never beside them; LOGFLOW_TEST_CHAOS_BESIDE=1 runs it beside them on a machine with cores to spare.
        test: {
          name: 'chaos',
          include: [CHAOS],
          sequence: { groupOrder: process.env.LOGFLOW_TEST_CHAOS_BESIDE === '1' ? 0 : 1 },
          env: { LOGFLOW_READER_PASSWORD: TEST_READER_PASSWORD, LOGFLOW_DEV: '1' },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
