import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [vue()],
  // `npm run dev -w web` talks to a query service on :5000.
  server: { proxy: { '/api': 'http://127.0.0.1:5000' } },
});
