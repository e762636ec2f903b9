// The web UI's budgets, measured (issue: first load of the workbench < 1 s on localhost
// with the CPU throttled 4x, judged on the page's own clock from navigation start to the
// form on screen; workbench JavaScript < 500 KB gzipped, ECharts only where
// charts are; a list of 10,000 tickets scrolls without jank).
//   node e2e/budget.mjs HOTLINE_BINARY DIST_DIR [--tickets N] [--json OUT]
// Prints every number; exits 1 when a budget is missed.
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { apiCall, apiLogin, launch, loadPlaywright, startDemo } from './harness.mjs'

const [hotline, dist] = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : dflt
}
const TICKETS = Number(opt('--tickets', 10000))
if (!hotline || !dist) {
  console.error('usage: node e2e/budget.mjs HOTLINE_BINARY DIST_DIR [--tickets N] [--json OUT]')
  process.exit(2)
}
const results = {}
let failed = false
const budget = (name, value, limit, unit) => {
  const ok = value <= limit
  if (!ok) failed = true
  results[name] = { value, limit, unit, ok }
  console.log(`${ok ? 'within' : 'OVER  '} ${name}: ${value} ${unit} (budget ${limit} ${unit})`)
}

// ---- 1. What the workbench downloads: the entry and the workbench chunk with everything
// they import statically (dynamic imports load only with their own screens).
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'))
function closure(keys) {
  const seen = new Set()
  const walk = (k) => {
    if (seen.has(k) || !manifest[k]) return
    seen.add(k)
    for (const i of manifest[k].imports ?? []) walk(i)
  }
  keys.forEach(walk)
  return [...seen].map((k) => manifest[k])
}
const chunks = closure(['index.html', 'src/views/WorkbenchView.vue'])
let jsGz = 0
let cssGz = 0
for (const c of chunks) {
  jsGz += gzipSync(readFileSync(join(dist, c.file)), { level: 9 }).length
  for (const css of c.css ?? []) cssGz += gzipSync(readFileSync(join(dist, css)), { level: 9 }).length
}
console.log(`workbench loads ${chunks.length} JavaScript files: ${chunks.map((c) => c.file).join(', ')}`)
budget('workbench_js_gzip_kb', Math.round(jsGz / 1024), 500, 'KB')
console.log(`(and ${Math.round(cssGz / 1024)} KB of CSS gzipped)`)
const charts = chunks.filter((c) => /echarts|zrender|charts/.test(c.file + (c.name ?? '')))
budget('workbench_echarts_chunks', charts.length, 0, 'chunks')

// ---- 2. A real server with 10,000 more tickets.
const chromium = await loadPlaywright()
const server = await startDemo(hotline)
const browser = await launch(chromium)
try {
  const agent = await apiLogin(server.base, 'agent1')
  const admin = await apiLogin(server.base, 'admin', 'admin-12345')
  const t0 = Date.now()
  let made = 0
  const texts = ['小区电梯经常故障，存在安全隐患', '路灯不亮，夜间出行不便', '噪音扰民，深夜施工', '公交站台破损需要维修', '社保卡补办流程咨询']
  async function worker(w) {
    for (let i = w; i < TICKETS; i += 8) {
      await apiCall(server.base, 'POST', '/tickets', {
        channel: 'phone', request_type: 'complaint', content: `${texts[i % texts.length]}（第${i}件）`,
        address: '望江街道', citizen: { phone: '139' + String(10000000 + i).slice(-8) },
      }, agent)
      made++
    }
  }
  await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)))
  console.log(`created ${made} tickets through the API in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

  // ---- 3. First load of the workbench, cold cache, CPU throttled 4x.
  // The tab is logged in (token and user in sessionStorage, as after a login). The budget
  // is the page's own clock: from navigation start to the frame after the intake form was
  // inserted (what the agent sees). Beside it, the wall time until playwright sees the form,
  // and the same two numbers for a blank page holding only a text area, served from this
  // machine's loopback in the same run: the part of the wall time that is the browser and
  // the harness (a new tab, playwright's round trips), not the workbench.
  const me = await (await fetch(server.base + '/api/v1/auth/me', { headers: { Authorization: 'Bearer ' + agent } })).json()
  const blank = createServer((_, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.end('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>blank</title></head>' +
            '<body><textarea data-test="wb-content" rows="6"></textarea></body></html>')
  })
  await new Promise((r) => blank.listen(0, '127.0.0.1', r))
  const blankUrl = `http://127.0.0.1:${blank.address().port}/`
  async function firstLoads(url, runs) {
    const walls = []
    const painted = []
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      await context.addInitScript(([t, u]) => {
        sessionStorage.setItem('hotline.token', t)
        sessionStorage.setItem('hotline.user', u)
        new MutationObserver((_, obs) => {
          if (!document.querySelector('[data-test="wb-content"]')) return
          obs.disconnect()
          requestAnimationFrame(() => (window.__wbPainted = performance.now()))
        }).observe(document, { childList: true, subtree: true })
      }, [agent, JSON.stringify(me)])
      const page = await context.newPage()
      const cdp = await context.newCDPSession(page)
      await cdp.send('Network.enable')
      await cdp.send('Network.clearBrowserCache')
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
      const start = Date.now()
      await page.goto(url)
      await page.waitForSelector('[data-test="wb-content"]', { state: 'visible', timeout: 30_000 })
      walls.push(Date.now() - start)
      painted.push(Math.round(await page.waitForFunction(() => window.__wbPainted).then((h) => h.jsonValue())))
      await context.close()
    }
    const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
    return { walls, painted, wall: median(walls), paint: median(painted) }
  }
  const RUNS = 7
  const floor = await firstLoads(blankUrl, 3)
  const wb = await firstLoads(server.base + '/#/workbench', RUNS)
  blank.close()
  const list = (a) => [...a].sort((x, y) => x - y).join(', ')
  console.log(`workbench first loads, cold cache, CPU 4x slower (${RUNS} runs, ms):`)
  console.log(`  form on screen after navigation start: ${list(wb.painted)}`)
  console.log(`  playwright sees it after page.goto:    ${list(wb.walls)}`)
  console.log(`  a blank page with one text area:       on screen ${list(floor.painted)}; seen ${list(floor.walls)}`)
  budget('workbench_form_painted_ms_median', wb.paint, 1000, 'ms')
  results.workbench_wall_ms_median = { value: wb.wall, unit: 'ms', blank_page: floor.wall, info: true }
  console.log(`(wall time median ${wb.wall} ms, of which a blank page takes ${floor.wall} ms)`)

  // ---- 4. Scrolling the ticket list through all of them.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await context.addInitScript((t) => sessionStorage.setItem('hotline.token', t), admin)
  const page = await context.newPage()
  await page.goto(server.base + '/#/tickets')
  await page.waitForSelector('[data-test="dq-t-table"] .dq-trow', { timeout: 30_000 })
  const scroll = await page.evaluate(async (want) => {
    const table = document.querySelector('[data-test="dq-t-table"]')
    // The virtual list's scrolling window: the element that scrolls furthest.
    let body = null
    for (const el of table.querySelectorAll('*')) {
      if (el.scrollHeight > el.clientHeight + 100 && (!body || el.scrollHeight > body.scrollHeight)) body = el
    }
    // "共 N 单（已载入 M）"
    const loaded = () => Number(/已载入\s*(\d+)/.exec(document.querySelector('[data-test="dq-t-total"]').textContent)?.[1] ?? 0)
    const frames = []
    let last = performance.now()
    let running = true
    const tick = (t) => {
      frames.push(t - last)
      last = t
      if (running) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
    const started = performance.now()
    // Scroll 240 px a frame (about 6 rows), as a fast wheel or a dragged scrollbar does,
    // until every ticket is loaded and the end is reached, or 90 s pass.
    while (performance.now() - started < 90_000) {
      body.scrollTop += 240
      await new Promise((r) => requestAnimationFrame(r))
      if (loaded() >= want && body.scrollTop + body.clientHeight >= body.scrollHeight - 2) break
    }
    running = false
    frames.shift()
    frames.sort((a, b) => a - b)
    const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))]
    return { frames: frames.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: frames[frames.length - 1],
             long: frames.filter((f) => f > 50).length, loaded: loaded(), seconds: (performance.now() - started) / 1000 }
  }, TICKETS)
  console.log(`scrolled ${scroll.loaded} tickets in ${scroll.seconds.toFixed(1)} s over ${scroll.frames} frames: ` +
              `frame p50 ${scroll.p50.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms, p99 ${scroll.p99.toFixed(1)} ms, ` +
              `max ${scroll.max.toFixed(1)} ms, ${scroll.long} frames over 50 ms`)
  budget('tickets_loaded_while_scrolling', TICKETS - Math.min(TICKETS, scroll.loaded), 0, 'tickets short')
  budget('scroll_frame_p95_ms', Math.round(scroll.p95 * 10) / 10, 33.4, 'ms')
  budget('scroll_long_frame_share_pct', Math.round((1000 * scroll.long) / Math.max(1, scroll.frames)) / 10, 1, '%')
  await context.close()
} finally {
  await browser.close()
  await server.stop()
}
const out = opt('--json', '')
if (out) writeFileSync(out, JSON.stringify(results, null, 2))
process.exit(failed ? 1 : 0)
