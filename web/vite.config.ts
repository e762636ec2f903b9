import { defineConfig, type Plugin } from 'vite'
import type { OutputChunk } from 'rollup'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The Element Plus components most screens use (and the parts they are built from) load as
// one chunk with their CSS: per component, Rollup would put some twenty small files on a
// screen's first load, and the browser fetches six at a time. The workbench form and the
// shell use none of them (they draw before Element Plus loads; see src/lib/ui.ts). The others
// (table, date picker, dialog, tabs, ...) stay with the screens that show them. Listed, not
// matched: the package index names every component, and a manual chunk would keep them all.
const COMMON_COMPONENTS = new Set(['alert', 'button', 'card', 'cascader', 'cascader-panel', 'checkbox',
  'collapse-transition', 'collection', 'config-provider', 'focus-trap', 'form', 'form-item', 'icon', 'input', 'link',
  'message', 'option', 'popper', 'radio', 'radio-button', 'radio-group', 'roving-focus-group', 'scrollbar', 'select',
  'slot', 'tag', 'teleport', 'tooltip', 'visual-hidden', 'base'])

const isWorkbench = (c: OutputChunk) => !!c.facadeModuleId?.endsWith('/src/views/WorkbenchView.vue')

// The chunks that loading `from` loads: themselves and what they import statically.
function staticClosure(chunks: OutputChunk[], from: OutputChunk[]): Set<OutputChunk> {
  const byFile = new Map(chunks.map((c) => [c.fileName, c]))
  const seen = new Set<OutputChunk>()
  const walk = (c: OutputChunk | undefined) => {
    if (!c || seen.has(c)) return
    seen.add(c)
    c.imports.forEach((i) => walk(byFile.get(i)))
  }
  from.forEach(walk)
  return seen
}

// The agent's workbench is the screen most users open first, and most often: index.html
// asks for its code with the entry's, instead of after the entry has run (which
// costs a round of requests on a first load). Other screens load on demand.
function preloadWorkbench(): Plugin {
  return {
    name: 'hotline-preload-workbench',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle ?? {}
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk')
        const view = chunks.find(isWorkbench)
        if (!view) throw new Error('preloadWorkbench: no chunk for src/views/WorkbenchView.vue')
        // What the entry already brings is in the page; the rest of the workbench's is not.
        const entry = staticClosure(chunks, chunks.filter((c) => c.isEntry))
        const rest = [...staticClosure(chunks, [view])].filter((c) => !entry.has(c))
        const cssOf = (cs: Iterable<OutputChunk>) => new Set([...cs].flatMap((c) => [...((c as any).viteMetadata?.importedCss ?? [])]))
        const entryCss = cssOf(entry)
        const files = rest.map((c) => c.fileName)
        const css = [...cssOf(rest)].filter((f) => !entryCss.has(f))
        return [
          ...files.map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: '/' + f }, injectTo: 'head' as const })),
          ...css.map((f) => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', crossorigin: true, href: '/' + f }, injectTo: 'head' as const })),
        ]
      },
    },
  }
}

// The code of the agent's first screen (the entry, Vue and the workbench chunks) is marked
// for V8's eager compilation (explicit compile hints, Chromium >= 136): compiled on a
// background thread while it streams in, instead of function by function on the main
// thread as the form is drawn. Other screens' chunks stay lazily compiled.
function compileHints(): Plugin {
  return {
    name: 'hotline-compile-hints',
    apply: 'build',
    enforce: 'post',
    // After Vite's own hooks: the hint counts only as the file's very first line, and Vite
    // puts its preload map in front of the code in generateBundle.
    generateBundle: { order: 'post', handler(_options, bundle) {
      const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk')
      const first = staticClosure(chunks, chunks.filter((c) => c.isEntry || isWorkbench(c)))
      for (const c of first) c.code = '//# allFunctionsCalledOnLoad\n' + c.code
    } },
  }
}

// The CMake target `web` passes --outDir into the build tree; `npm run build` alone
// writes web/dist. The dev server proxies the API to a running `hotline serve`.
export default defineConfig({
  // Element Plus components are imported where a template uses them, each with its own
  // CSS, so each screen's chunk carries only what it shows (the workbench does not load
  // the virtual table, the calendar or their styles).
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }), preloadWorkbench(), compileHints()],
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
          // The small helpers the workbench shares with other screens: one file on its first
          // load instead of four (each preload costs the page's parser time at startup).
          if (/\/src\/lib\/(wbIntake|wbTicket|dqTicket|format)\.ts$/.test(id)) return 'wb-lib'
          const ep = /node_modules\/element-plus\/(?:es\/components\/([a-z-]+)\/|theme-chalk\/(?:el-)?([a-z-]+)\.css|es\/(?:hooks|utils|constants|directives|locale)\/)/.exec(id)
          if (ep) return !(ep[1] ?? ep[2]) || COMMON_COMPONENTS.has(ep[1] ?? ep[2]) ? 'element' : undefined
          if (/node_modules\/(lodash-es|async-validator|@floating-ui|@popperjs|@ctrl|@element-plus)\//.test(id)) return 'element'
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
    // A component under test imports Element Plus's styles as the build does: through Vite
    // (which reads CSS), not Node (which cannot).
    server: { deps: { inline: ['element-plus'] } },
  },
} as any)
