// Browser tests of the web UI against a real `hotline demo` (its own SQLite file, a free
// loopback port, no live traffic): one request's whole life through the screens of each
// role — the agent files it on the workbench, the dispatcher dispatches it from the
// dispatch centre, the unit handler signs for it and replies from the unit inbox, the
// reviewer approves it, the callback agent records the citizen's satisfaction — then the
// citizen follows it on the portal, files a new request there and rates it after it is
// answered. A screenshot of every main screen is saved (not committed).
//   node e2e/lifecycle.mjs HOTLINE_BINARY DIST_DIR SCREENSHOT_DIR
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, apiLogin, check, launch, loadPlaywright, startDemo, uiLogin, ADMIN_PASSWORD } from './harness.mjs'

const [hotline, , shots = '/tmp/hotline-web-screenshots'] = process.argv.slice(2)
if (!hotline) {
  console.error('usage: node e2e/lifecycle.mjs HOTLINE_BINARY DIST_DIR SCREENSHOT_DIR')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })
const chromium = await loadPlaywright()
const server = await startDemo(hotline)
const browser = await launch(chromium)
const errors = []
let failed = false

async function as(username, fn, { password, viewport } = {}) {
  const context = await browser.newContext({ viewport: viewport ?? { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', (e) => errors.push(`${username}: ${e.message}`))
  // The server's Content-Security-Policy refuses anything but the platform's own scripts and
  // styles sheets: a refusal here is a screen that would break in every browser.
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) errors.push(`${username}: ${m.text()}`) })
  try {
    if (username) await uiLogin(page, server.base, username, password)
    await fn(page)
  } catch (e) {
    await page.screenshot({ path: join(shots, `failure-${username || 'citizen'}.png`), fullPage: true }).catch(() => {})
    throw e
  } finally {
    await context.close()
  }
}
const shot = (page, name) => page.screenshot({ path: join(shots, name + '.png'), fullPage: true })
const row = (page, number) => page.locator(`.dq-row-${number}`)

try {
  const admin = await apiLogin(server.base, 'admin', ADMIN_PASSWORD)
  const ticket = async (number) => {
    const page = await apiCall(server.base, 'GET', `/tickets?q=${number}&page_size=5`, undefined, admin)
    return page.items.find((t) => t.number === number)
  }
  let number = ''
  let code = ''
  let categoryCode = ''

  // 0. The address the server prints opens the sign-in page, and once signed in the user's
  // own screen.
  await as(null, async (page) => {
    await page.goto(server.base + '/')
    await page.waitForSelector('[data-test="username"]', { timeout: 15_000 })
  })
  await as('dispatcher1', async (page) => {
    await page.goto(server.base + '/')
    await page.waitForURL(/#\/dispatch/, { timeout: 15_000 })
  })

  // A wrong password sent with Enter is one attempt, not two (the lockout allows five).
  await as(null, async (page) => {
    let attempts = 0
    page.on('request', (r) => { if (r.url().includes('/auth/login')) attempts++ })
    await page.goto(server.base + '/#/login')
    await page.fill('[data-test="username"]', 'qa1')
    await page.fill('[data-test="password"]', 'not-the-password')
    await page.press('[data-test="password"]', 'Enter')
    await page.waitForSelector('[data-test="login-error"]', { timeout: 15_000 })
    await page.waitForTimeout(300)
    check(attempts === 1, `Enter on the login form sends one login (${attempts})`)
  })

  // 1. The agent takes the call on the workbench: suggestions appear while typing.
  await as('agent1', async (page) => {
    await page.waitForSelector('[data-test="wb-content"]')
    check(await page.locator('[data-test="menu-admin"]').count() === 0, 'an agent is not offered the admin screens')
    await page.fill('[data-test="wb-phone"]', '13912345678')
    await page.fill('[data-test="wb-name"]', '陈先生')
    await page.fill('[data-test="wb-address"]', '望江街道幸福小区12栋')
    await page.fill('[data-test="wb-content"]', '幸福小区12栋的电梯坏了三天了，一直没人来修，老人上下楼非常困难，请尽快处理。')
    await page.waitForSelector('[data-test="wb-suggest-category"]', { timeout: 15_000 })
    check((await page.textContent('[data-test="wb-suggestions"]')).length > 0, 'the workbench proposes a category while the agent types')
    await page.waitForSelector('[data-test="wb-kb"]')
    // One Tab leaves the empty category field, its list open, for the next field.
    await page.focus('[data-test="wb-category"]')
    await page.waitForSelector('[role="listbox"] li')
    await page.keyboard.press('Tab')
    check(await page.evaluate(() => document.activeElement?.id) === 'wb-content', 'one Tab leaves the open category list')
    // The category picker: search by a word of the path, pick with the keyboard.
    await page.click('[data-test="wb-category"]')
    await page.keyboard.type('电梯')
    await page.waitForSelector('[role="listbox"] li')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    categoryCode = ((await page.textContent('[data-test="wb-category-code"]')) ?? '').split('·')[0].trim()
    check(/^\d+$/.test(categoryCode) && (await page.inputValue('[data-test="wb-category"]')).includes('电梯'),
          `the agent picks a category by typing 电梯 (${categoryCode})`)
    await shot(page, '01-workbench')
    await page.click('[data-test="wb-submit"]')
    await page.waitForSelector('[data-test="wb-result-number"]', { timeout: 15_000 })
    number = (await page.textContent('[data-test="wb-result-number"]')).trim()
    code = (await page.textContent('[data-test="wb-result-code"]')).trim()
    check(/^\d{10,}$/.test(number) && code.length >= 4, `the agent sees the new number ${number} and query code`)
  })
  check((await ticket(number)).status === 'received', 'the ticket is stored as received')
  check((await ticket(number)).category_code === categoryCode, 'the ticket keeps the category picked on the workbench')

  // 2. The dispatcher dispatches it to the proposed unit in one action.
  await as('dispatcher1', async (page) => {
    await page.waitForSelector('[data-test="dq-filter-q"]')
    await page.fill('[data-test="dq-filter-q"]', number)
    await page.click('[data-test="dq-search"]')
    await row(page, number).waitFor()
    await shot(page, '02-dispatch')
    await row(page, number).locator('[data-test="dq-quick-dispatch"]').click()
    await page.waitForFunction((n) => !document.querySelector('.dq-row-' + n), number, { timeout: 15_000 })
  })
  const dispatched = await ticket(number)
  check(dispatched.status === 'dispatched' && dispatched.current_unit_id, `dispatched to ${dispatched.current_unit_name}`)
  const users = await apiCall(server.base, 'GET', `/users?role=unit_handler&unit_id=${dispatched.current_unit_id}`, undefined, admin)
  const handler = users.items[0]
  check(handler, `the unit ${dispatched.current_unit_name} has a handler (${handler?.username})`)

  // 3. The unit signs for it and replies from its inbox.
  await as(handler.username, async (page) => {
    check(await page.locator('[data-test="menu-workbench"]').count() === 0, 'a unit handler sees no workbench')
    await row(page, number).waitFor({ timeout: 15_000 })
    await shot(page, '03-inbox')
    // The handler switches to 办理中 while the sign-for is still on its way (held back
    // here, as on a slow network): the ticket must still show up there.
    await page.route('**/actions/accept', async (r) => {
      await new Promise((res) => setTimeout(res, 1500))
      await r.continue()
    })
    await row(page, number).locator('[data-test="dq-accept"]').click()
    await page.click('[data-test="dq-tab-accepted"]')
    await row(page, number).locator('[data-test="dq-reply"]').click()
    await page.fill('[data-test="dq-content"]', '已联系维保单位更换电梯控制板，电梯已恢复运行，并安排每周巡检。')
    await page.click('[data-test="dq-inbox-submit"]')
    await page.waitForFunction(async () => true)
    await page.waitForTimeout(500)
  })
  for (let i = 0; i < 20 && (await ticket(number)).status !== 'replied'; i++) await new Promise((r) => setTimeout(r, 250))
  check((await ticket(number)).status === 'replied', 'the unit signed for it and replied')

  // 4. The reviewer approves the reply.
  await as('reviewer1', async (page) => {
    await page.click(`[data-test="review-row-${number}"]`)
    await page.waitForSelector('[data-test="review-detail"]')
    await page.fill('[data-test="review-comment"]', '答复完整，同意')
    await shot(page, '04-review')
    await page.click('[data-test="review-approve"]')
    await page.waitForTimeout(500)
  })
  for (let i = 0; i < 20 && (await ticket(number)).status !== 'awaiting_callback'; i++) await new Promise((r) => setTimeout(r, 250))
  check((await ticket(number)).status === 'awaiting_callback', 'the reviewer approved the reply')

  // 5. The citizen follows it on the portal (phone-sized screen, no login).
  await as('', async (page) => {
    await page.goto(`${server.base}/#/portal?tab=track&number=${number}&code=${code}`)
    await page.waitForSelector('[data-test="portal-progress-status"]', { timeout: 15_000 })
    const timeline = await page.textContent('[data-test="portal-timeline"]')
    check(timeline.includes('已恢复运行'), 'the portal shows the approved answer on the public timeline')
    check(!timeline.includes('13912345678'), 'the portal shows no personal data')
    await shot(page, '05-portal-track')
  }, { viewport: { width: 375, height: 812 } })

  // 6. The callback agent records the citizen's satisfaction; the ticket closes.
  await as('callback1', async (page) => {
    // The queue lists the request waiting longest first: this one, just answered, is found by
    // its number.
    await page.fill('[data-test="callback-q"]', number)
    await page.click('[data-test="callback-search"]')
    await page.locator(`[data-test="callback-open-${number}"]`).click()
    await page.waitForSelector('[data-test="callback-dialog"]')
    await page.click('[data-test="callback-outcome-reached"]')
    await page.click('[data-test="callback-rating-satisfied"]')
    await shot(page, '06-callback')
    await page.click('[data-test="callback-save"]')
    await page.waitForTimeout(500)
  })
  for (let i = 0; i < 20 && (await ticket(number)).status !== 'closed'; i++) await new Promise((r) => setTimeout(r, 250))
  const closed = await ticket(number)
  check(closed.status === 'closed' && closed.rating === 'satisfied', 'the callback closed it as satisfied')

  // 7. The whole timeline on the detail page.
  await as('admin', async (page) => {
    await page.goto(`${server.base}/#/tickets/${closed.id}`)
    await page.waitForSelector('[data-test="tk-timeline"]')
    const events = await page.locator('[data-test="tk-event"]').count()
    check(events >= 6, `the detail page shows the full timeline (${events} events)`)
    await shot(page, '07-ticket-detail')
    for (const [screen, name] of [['dashboard', '08-dashboard'], ['insight', '09-insight'], ['admin', '10-admin'],
                                  ['tickets', '11-tickets'], ['kb', '12-kb']]) {
      await page.click(`[data-test="menu-${screen}"]`)
      await page.waitForTimeout(1500)
      await shot(page, name)
    }
    check(await page.locator('[data-test="dashboard"]').count() === 0, 'navigating away unmounts the dashboard')
    // 黄牌预警 on the dashboard opens that 督办 queue.
    await page.click('[data-test="menu-dashboard"]')
    await page.click('[data-test="dash-num-yellow"]')
    await page.waitForFunction(() => location.hash.includes('supervision') && location.hash.includes('tab=yellow'))
    check(await page.locator('[data-test="supervision-tabs"] .el-tabs__item.is-active').textContent().then((t) => t.includes('黄牌预警')),
          'a dashboard card opens the queue it counts')
    // 统计报告: last week's report for the city, with the unit ranking.
    await page.click('[data-test="menu-reports"]')
    await page.waitForSelector('[data-test="report-title"]', { timeout: 30_000 })
    const reportTitle = await page.textContent('[data-test="report-title"]')
    const redRows = await page.locator('[data-test="report-red"] .el-table__row').count()
    check(reportTitle.includes('12345 热线周报') && redRows > 0, `the weekly report shows (${reportTitle.trim()}, ${redRows} units on the red list)`)
    await shot(page, '12-reports')
    // The admin's open tab is in the URL: a reload comes back to it; the roster filters on the server.
    await page.click('[data-test="menu-admin"]')
    await page.click('[data-test="admin-tab-users"]')
    await page.waitForFunction(() => location.hash.includes('tab=users'))
    await page.reload()
    await page.waitForSelector('[data-test="user-table"] .el-table__row')
    await page.fill('[data-test="user-q"]', 'admin')
    await page.press('[data-test="user-q"]', 'Enter')
    const rows = await page.waitForFunction(() => {
      const rs = [...document.querySelectorAll('[data-test="user-table"] .el-table__row')]
      return rs.length && rs.every((r) => r.textContent.includes('admin')) && rs.length
    }).then((h) => h.jsonValue())
    check(rows >= 1, `the admin tab survives a reload and the roster filters on the server (${rows} rows for "admin")`)
    // An account of someone who left is disabled from the roster: the login is refused at once.
    const hub = (await apiCall(server.base, 'GET', '/auth/me', undefined, admin)).unit_id
    const units = await apiCall(server.base, 'GET', '/units', undefined, admin)
    const centre = units.items.find((u) => u.is_centre && u.id !== '0')?.id ?? hub
    await apiCall(server.base, 'POST', '/users', { username: 'e2e_leaver', password: 'leaver-pass-1', role: 'agent', unit_id: centre }, admin)
    await page.fill('[data-test="user-q"]', 'e2e_leaver')
    await page.press('[data-test="user-q"]', 'Enter')
    await page.click('[data-test="user-edit-e2e_leaver"]')
    await page.click('[data-test="user-edit-active"]')
    await page.click('[data-test="user-edit-submit"]')
    await page.waitForFunction(() => {
      const r = document.querySelector('[data-test="user-table"] .el-table__row')
      return r && r.textContent.includes('e2e_leaver') && r.textContent.includes('停用')
    }, undefined, { timeout: 15_000 })
    const refused = await apiLogin(server.base, 'e2e_leaver', 'leaver-pass-1').then(() => false, () => true)
    check(refused, 'an account disabled on the admin screen can no longer log in')
    await shot(page, '10-admin-users')
  }, { password: ADMIN_PASSWORD })
  await as('supervisor1', async (page) => {
    await page.waitForTimeout(1000)
    await shot(page, '13-supervision')
    // 坐席测算: the week's grid of agents from the demo's past contacts.
    await page.click('[data-test="menu-staffing"]')
    await page.waitForSelector('[data-test="staffing-grid"] tbody tr', { timeout: 30_000 })
    const hoursShown = await page.locator('[data-test="staffing-grid"] tbody tr').count()
    const staffed = await page.locator('[data-test="staffing-grid"] tbody td').evaluateAll((tds) => tds.filter((td) => Number(td.textContent) > 0).length)
    const contacts = Number(/共 (\d+) 次来电/.exec(await page.textContent('[data-test="staffing-summary"]'))?.[1] ?? 0)
    check(hoursShown === 24 && staffed === 168 && contacts > 0,
          `seat planning shows 24 hours × 7 days from past calls, every hour staffed (${hoursShown} rows, ${staffed} cells > 0, ${contacts} calls)`)
    // 多援一: the district centres answer their own lines too, each staffed alone against the pool.
    const centreRows = await page.locator('[data-test="staffing-centres"] .el-table__row').count()
    const pooling = (await page.textContent('[data-test="staffing-pooling"]').catch(() => '')) ?? ''
    check(centreRows >= 2 && /节省 \d+ 小时/.test(pooling),
          `seat planning compares each centre alone with the pool (${centreRows} centres: ${pooling.trim().slice(0, 80)})`)
    await page.locator('[data-test="staffing-centres"]').scrollIntoViewIfNeeded()
    await shot(page, '16-staffing')
    await page.click('[data-test="menu-supervision"]')
    await page.waitForTimeout(1000)
    // Units' extension and suspension requests waiting for the centre: the tab's count is the list's total.
    await page.click('#tab-awaiting')
    await page.waitForSelector('[data-test="sup-table-awaiting"]')
    await page.waitForTimeout(1000)
    const tabText = await page.textContent('#tab-awaiting')
    const listed = Number(/共 (\d+) 件/.exec(await page.textContent('.pager'))?.[1] ?? -1)
    check(listed >= 0 && tabText.includes(`待审批申请（${listed}）`),
          `the supervision desk lists requests waiting for a decision (${listed}; tab "${tabText.trim()}")`)
    await shot(page, '13-supervision-requests')
    // The first request is decided on the spot: approved, it leaves the list.
    const approve = page.locator('[data-test^="sup-approve-"]').first()
    if (listed > 0 && await approve.count()) {
      await approve.click()
      await page.click('[data-test="sup-decide-submit"]')
      await page.waitForFunction((n) => {
        const m = /共 (\d+) 件/.exec(document.querySelector('.pager')?.textContent ?? '')
        return m && Number(m[1]) === n - 1
      }, listed, { timeout: 15_000 })
      check(true, `a request is approved from the supervision desk (${listed} → ${listed - 1} waiting)`)
    }
    // An order a unit returned is settled from the desk: a coordination note is recorded.
    await page.click('#tab-returned')
    await page.waitForSelector('[data-test="sup-table-returned"]')
    await page.waitForTimeout(1000)
    const coordinate = page.locator('[data-test^="sup-coordinate-"]:visible').first()
    if (await coordinate.count()) {
      const num = (await coordinate.getAttribute('data-test')).replace('sup-coordinate-', '')
      await coordinate.click()
      await page.fill('[data-test="dq-note"]', '经协调，仍由原单位办理，请尽快签收。')
      await page.click('[data-test="dq-dialog-submit"]')
      await page.waitForSelector('.el-message--success', { timeout: 15_000 })
      const t = await ticket(num)
      const events = await apiCall(server.base, 'GET', `/tickets/${t.id}/events`, undefined, admin)
      const kinds = (events.items ?? events).map((e) => e.type)
      check(kinds.includes('coordinated'), `a returned order is coordinated from the supervision desk (${num})`)
    }
  })

  // 8. A citizen files a request on the portal, and rates it once it is answered.
  let portalNumber = ''
  await as('', async (page) => {
    await page.goto(`${server.base}/#/portal`)
    await page.click('[data-test="portal-tab-submit"]')
    await page.fill('[data-test="portal-content"]', '北山路与新桥路交叉口的红绿灯坏了，早晚高峰很危险。')
    await page.fill('[data-test="portal-phone"]', '13800002222')
    await page.click('[data-test="portal-submit"]')
    await page.waitForSelector('[data-test="portal-receipt-number"]', { timeout: 15_000 })
    portalNumber = (await page.textContent('[data-test="portal-receipt-number"]')).trim()
    await shot(page, '14-portal-submit')
  }, { viewport: { width: 375, height: 812 } })
  const filed = await ticket(portalNumber)
  check(filed && filed.channel === 'web' && filed.status === 'received', `the portal request ${portalNumber} reached the centre`)
  // The centre handles it through the API this time.
  const tok = {}
  for (const u of ['dispatcher1', 'reviewer1']) tok[u] = await apiLogin(server.base, u)
  await apiCall(server.base, 'POST', `/tickets/${filed.id}/actions/dispatch`, { unit_id: dispatched.current_unit_id }, tok.dispatcher1)
  tok.handler = await apiLogin(server.base, handler.username)
  await apiCall(server.base, 'POST', `/tickets/${filed.id}/actions/accept`, {}, tok.handler)
  await apiCall(server.base, 'POST', `/tickets/${filed.id}/actions/reply`, { content: '信号灯已修复。' }, tok.handler)
  await apiCall(server.base, 'POST', `/tickets/${filed.id}/actions/review`, { decision: 'approve' }, tok.reviewer1)
  await as('', async (page) => {
    await page.goto(`${server.base}/#/portal?tab=track&number=${portalNumber}&phone_last4=2222`)
    await page.click('[data-test="portal-tab-rate"]')
    await page.fill('[data-test="portal-rate-number"]', portalNumber)
    await page.fill('[data-test="portal-rate-proof"]', '2222')
    await page.click('[data-test="portal-rating-very_satisfied"]')
    await page.click('[data-test="portal-rate-submit"]')
    await page.waitForSelector('[data-test="portal-rate-done"]', { timeout: 15_000 })
    await shot(page, '15-portal-rate')
  }, { viewport: { width: 375, height: 812 } })
  const rated = await ticket(portalNumber)
  check(rated.status === 'closed' && rated.rating === 'very_satisfied', 'the citizen\'s own rating closed the request')
  check(errors.length === 0, 'no uncaught errors or refused content in any page' + (errors.length ? ': ' + errors.join('; ') : ''))
  console.log(`screenshots in ${shots}`)
} catch (e) {
  failed = true
  console.error('FAILED:', e.message)
  console.error(server.log().slice(-2000))
} finally {
  await browser.close()
  await server.stop()
}
process.exit(failed ? 1 : 0)
