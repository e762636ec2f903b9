import { createApp } from 'vue'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { restore, forget } from './lib/session'
import { setUnauthorisedHandler } from './lib/api'
import { elementFor } from './lib/ui'

setUnauthorisedHandler(() => {
  forget()
  if (!router.currentRoute.value.meta.public) router.push({ name: 'login' })
})

// Fetch the first screen's code while the session is restored, not after.
for (const record of router.resolve(location.hash.slice(1) || '/').matched) {
  const load = record.components?.default
  if (typeof load === 'function') (load as () => Promise<unknown>)()?.catch?.(() => {})
}

// The router's first navigation runs on `use`, so only once the session is restored.
restore().then(() => {
  const app = createApp(App)
  // Element Plus loads when a screen needs it: the router waits for it before the screens
  // built with it; the workbench form is drawn without it and loads it for its side panels.
  elementFor(app)
  app.use(router)
  // Mounted once the first screen's code is in, so the shell and the screen render in
  // one pass (not the shell, a paint, then the screen).
  router.isReady().finally(() => app.mount('#app'))
})
