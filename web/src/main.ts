import { createApp } from 'vue'
// Element Plus styles come with each component (vite.config.ts); these are the base and
// the ones used only from scripts (messages, confirmations).
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import 'element-plus/theme-chalk/el-overlay.css'
import 'element-plus/theme-chalk/el-loading.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { restore, forget } from './lib/session'
import { setUnauthorisedHandler } from './lib/api'

setUnauthorisedHandler(() => {
  forget()
  if (!router.currentRoute.value.meta.public) router.push({ name: 'login' })
})

// Fetch the first screen's code while the session is restored, not after.
for (const record of router.resolve(location.hash.slice(1) || '/').matched) {
  const load = record.components?.default
  if (typeof load === 'function') (load as () => Promise<unknown>)()?.catch?.(() => {})
}

restore().then(() => {
  createApp(App).use(router).mount('#app')
})
