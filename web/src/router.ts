import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { canSee, homeFor, session } from './lib/session'
import { elementPlus } from './lib/ui'

// Every screen, login and the workbench included, is its own chunk loaded on first visit:
// ECharts and the admin forms never load on an agent's first screen. `light` screens are
// drawn without Element Plus (the workbench form, for the agent's first load); the router
// loads it before the others.
const routes: RouteRecordRaw[] = [
  // The address the server prints: the sign-in page, or the signed-in user's own screen. It
  // must be a route of its own: sent to the catch-all below, it would redirect to itself.
  { path: '/', name: 'root', redirect: () => ({ name: session.user ? homeFor(session.user.role) : 'login' }) },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, bare: true } },
  { path: '/portal', name: 'portal', component: () => import('./views/PortalView.vue'), meta: { public: true, bare: true } },
  { path: '/workbench', name: 'workbench', component: () => import('./views/WorkbenchView.vue'), meta: { title: '话务受理', light: true } },
  { path: '/dispatch', name: 'dispatch', component: () => import('./views/DispatchView.vue'), meta: { title: '派单中心' } },
  { path: '/inbox', name: 'inbox', component: () => import('./views/InboxView.vue'), meta: { title: '承办工单' } },
  { path: '/review', name: 'review', component: () => import('./views/ReviewView.vue'), meta: { title: '审核' } },
  { path: '/callback', name: 'callback', component: () => import('./views/CallbackView.vue'), meta: { title: '回访' } },
  { path: '/supervision', name: 'supervision', component: () => import('./views/SupervisionView.vue'), meta: { title: '督办' } },
  { path: '/tickets', name: 'tickets', component: () => import('./views/TicketsView.vue'), meta: { title: '工单查询' } },
  { path: '/tickets/:id', name: 'ticket', component: () => import('./views/TicketView.vue'), meta: { title: '工单详情', screen: 'tickets' } },
  { path: '/dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { title: '数据看板' } },
  { path: '/reports', name: 'reports', component: () => import('./views/ReportView.vue'), meta: { title: '统计报告' } },
  { path: '/staffing', name: 'staffing', component: () => import('./views/StaffingView.vue'), meta: { title: '坐席测算' } },
  { path: '/insight', name: 'insight', component: () => import('./views/InsightView.vue'), meta: { title: '热点预警' } },
  { path: '/kb', name: 'kb', component: () => import('./views/KbView.vue'), meta: { title: '知识库' } },
  // Every signed-in user's own: no role is kept from it.
  { path: '/account', name: 'account', component: () => import('./views/AccountView.vue'), meta: { title: '修改密码' } },
  { path: '/admin', name: 'admin', component: () => import('./views/AdminView.vue'), meta: { title: '系统管理', queryInPlace: true } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  const user = session.user
  if (!to.meta.public) {
    if (!user) return { name: 'login', query: { next: to.fullPath } }
    const screen = (to.meta.screen as string | undefined) ?? (to.name as string)
    if (!canSee(screen, user.role)) return { name: homeFor(user.role) }
  }
  if (!to.meta.light) await elementPlus().catch(() => undefined) // the screen's own import reports it
  return true
})
