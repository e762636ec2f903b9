// Element Plus as one lazily loaded piece: its base styles, the styles of what is only
// called from scripts (messages, confirmations, loading), and the zh-CN locale made global
// for the app. Loaded through lib/ui.ts, never imported by the entry or the workbench form,
// so an agent's first screen does not wait for it.
import type { App } from 'vue'
import { ElMessage, ElMessageBox, provideGlobalConfig } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
// The date pickers' weeks start on Monday, as the city's weekly reports do.
import 'dayjs/locale/zh-cn'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import 'element-plus/theme-chalk/el-overlay.css'
import 'element-plus/theme-chalk/el-loading.css'

export function install(app: App): void {
  provideGlobalConfig({ locale: zhCn }, app, true)
}

export { ElMessage, ElMessageBox }
