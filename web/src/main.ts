import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { restore, forget } from './lib/session'
import { setUnauthorisedHandler } from './lib/api'

setUnauthorisedHandler(() => {
  forget()
  if (!router.currentRoute.value.meta.public) router.push({ name: 'login' })
})

restore().then(() => {
  createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app')
})
