// Shared by the browser tests and the budget script: a real `hotline demo` on a free
// loopback port (its own SQLite file in a temporary directory), Debian's headless Chromium
// driven by playwright-core, and small helpers for logging in and calling the API.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
export const PASSWORD = 'demo-12345'
export const ADMIN_PASSWORD = 'admin-12345'

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

// Exits 77 (ctest's "skipped") with a reason when the browser is not installed.
export async function loadPlaywright() {
  if (!existsSync(CHROMIUM)) {
    console.log(`SKIP: no Chromium at ${CHROMIUM} (scripts/setup installs Debian's chromium)`)
    process.exit(77)
  }
  return (await import('playwright-core')).chromium
}

// Starts the demo city without live traffic (so the test owns every change), and waits
// until it answers. The binary serves the web UI built beside it (build/web/dist).
// Returns {base, stop, log}.
export async function startDemo(hotline) {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-web-e2e-'))
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const args = ['demo', '--db', join(dir, 'city.db'), '--listen', `127.0.0.1:${port}`, '--no-traffic']
    const child = spawn(hotline, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    child.stdout.on('data', (d) => (log += d))
    child.stderr.on('data', (d) => (log += d))
    const base = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 120_000
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const r = await fetch(base + '/healthz')
        if (r.ok) {
          const stop = async () => {
            child.kill('SIGTERM')
            await new Promise((res) => (child.exitCode !== null ? res() : child.on('exit', res)))
            rmSync(dir, { recursive: true, force: true })
          }
          process.on('exit', () => child.kill('SIGKILL'))
          return { base, stop, log: () => log }
        }
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    child.kill('SIGKILL')
    if (attempt === 2) throw new Error('the demo server did not start:\n' + log.slice(-3000))
  }
  throw new Error('unreachable')
}

export async function launch(chromium) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
}

export async function apiCall(base, method, path, body, token) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = 'Bearer ' + token
  const r = await fetch(base + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  const data = text ? JSON.parse(text) : null
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`)
  return data
}

export async function apiLogin(base, username, password = PASSWORD) {
  return (await apiCall(base, 'POST', '/auth/login', { username, password })).token
}

// Logs in through the login screen; resolves once the role's home screen shows.
export async function uiLogin(page, base, username, password = PASSWORD) {
  await page.goto(base + '/#/login')
  await page.fill('[data-test="username"]', username)
  await page.fill('[data-test="password"]', password)
  await page.click('[data-test="login"]')
  await page.waitForSelector('[data-test="who"]', { timeout: 15_000 })
}

export function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what)
  console.log('ok - ' + what)
}
