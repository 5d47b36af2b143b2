import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { earlyScript, precompress } from './vite-plugins.ts';

export default defineConfig({
  plugins: [vue(), earlyScript(), precompress()],
  // `npm run dev -w web` talks to a query service on QUERY_URL (default :5000).
  server: { proxy: { '/api': process.env.QUERY_URL ?? 'http://127.0.0.1:5000' } },
  build: {
    // naive-ui and ECharts make one large chunk each; the 500 KB that matters is the gzipped total (docs/performance.md, Dashboard).
    chunkSizeWarningLimit: 1000,
  },
});
