import { defineConfig } from 'vite';

// A static build the gateway serves at `/`: hashed files under /assets (cached for a year), one index.html
// (revalidated), no inline script or style so the gateway's Content-Security-Policy can stay `'self'` only.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev -w web` against a running stack: the API is the gateway's.
    proxy: Object.fromEntries(
      [
        '/api',
        '/tokens',
        '/concerts',
        '/tickets',
        '/admin',
        '/points',
        '/point_history',
        '/payments',
        '/payment_history',
      ].map((prefix) => [prefix, 'http://127.0.0.1:8080']),
    ),
  },
});
