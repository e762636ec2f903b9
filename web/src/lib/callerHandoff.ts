// The caller on the line when an agent opens an existing ticket from the workbench (a
// duplicate, the caller's history): the ticket page's 记录来电 starts from that caller, not
// from the ticket's own citizen, so a neighbour's chase counts for the neighbour. Kept for
// one ticket, read once, dropped after ten minutes (it is a phone number) and on signing out;
// in the tab's sessionStorage, which the ticket tab the workbench opens starts with a copy of.
import { toHalfWidth } from './rcPortal'

const KEY = 'hotline.caller-handoff'
const TTL_MS = 10 * 60 * 1000

export interface Caller { phone: string; name: string }

export function handCallerTo(ticketId: string, caller: Caller, now = Date.now()) {
  if (!toHalfWidth(caller.phone).trim()) return
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ ticketId, phone: toHalfWidth(caller.phone).trim(), name: caller.name.trim(), at: now }))
  } catch { /* storage full or off: the dialog starts from the ticket's caller */ }
}

export function forgetHandedCaller() {
  try {
    sessionStorage.removeItem(KEY)
  } catch { /* nothing kept */ }
}

export function takeCallerFor(ticketId: string, now = Date.now()): Caller | null {
  let raw: string | null = null
  try {
    raw = sessionStorage.getItem(KEY)
  } catch {
    return null
  }
  if (!raw) return null
  try {
    const h = JSON.parse(raw)
    if (now - h.at > TTL_MS) {
      sessionStorage.removeItem(KEY)
      return null
    }
    if (h.ticketId !== ticketId) return null
    sessionStorage.removeItem(KEY)
    return { phone: String(h.phone ?? ''), name: String(h.name ?? '') }
  } catch {
    sessionStorage.removeItem(KEY)
    return null
  }
}
