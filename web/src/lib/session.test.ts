import { describe, expect, it } from 'vitest'
import { canSee, homeFor, screenRoles } from './session'

describe('role screens', () => {
  it('lands each role on its own desk', () => {
    expect(homeFor('agent')).toBe('workbench')
    expect(homeFor('dispatcher')).toBe('dispatch')
    expect(homeFor('unit_handler')).toBe('inbox')
    expect(homeFor('reviewer')).toBe('review')
    expect(homeFor('callback_agent')).toBe('callback')
    expect(homeFor('analyst')).toBe('dashboard')
  })
  it('never offers a unit handler the centre desks, the dashboard or admin', () => {
    for (const s of ['workbench', 'dispatch', 'review', 'callback', 'dashboard', 'admin', 'insight']) {
      expect(canSee(s, 'unit_handler')).toBe(false)
    }
    expect(canSee('inbox', 'unit_handler')).toBe(true)
    expect(canSee('admin', 'agent')).toBe(false)
    expect(canSee('tickets', undefined)).toBe(false)
  })
  it('gives every landing screen to the role that lands there', () => {
    for (const role of ['admin', 'agent', 'dispatcher', 'unit_handler', 'reviewer', 'callback_agent', 'supervisor', 'qa_inspector', 'analyst']) {
      expect(canSee(homeFor(role), role)).toBe(true)
    }
    expect(Object.keys(screenRoles).length).toBeGreaterThan(8)
  })
})
