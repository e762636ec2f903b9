import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The CMake target `web` passes --outDir into the build tree; `npm run build` alone
// writes web/dist. The dev server proxies the API to a running `hotline serve`.
export default defineConfig({
  // Element Plus components are imported where a template uses them, each with its own
  // CSS, so each screen's chunk carries only what it shows (the workbench does not load
  // the virtual table, the calendar or their styles).
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false })],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true, // e2e/budget.mjs reads which chunks each screen loads
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'charts'
          if (id.includes('node_modules/vue') || id.includes('node_modules/@vue')) return 'vue'
          return undefined
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.HOTLINE_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
} as any)
