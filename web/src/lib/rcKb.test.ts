import { describe, expect, it } from 'vitest'
import { emptyKbForm, formOf, hitWords, kbActions, kbBody, kbConfirmOf, lastDay, parseTerms, validityLabel, validityText, versionBy } from './rcKb'

describe('kb helpers', () => {
  it('says when a published entry is served to nobody, and its period in words', () => {
    const now = Date.parse('2026-12-02T10:00:00+08:00')
    expect(validityLabel({ status: 'published', current: true }, now)).toBe('')
    expect(validityLabel({ status: 'draft', current: false }, now)).toBe('')
    expect(validityLabel({ status: 'published', current: false, effective: '2026-12-03T00:00:00+08:00' }, now)).toBe('未生效')
    expect(validityLabel({ status: 'published', current: false }, now)).toBe('已过期')
    expect(validityText({})).toBe('长期有效')
    expect(validityText({ effective: '2026-12-03T00:00:00+08:00' })).toBe('2026-12-03 起长期有效')
  })
  it('says who saved a version', () => {
    const v = { version: 1, changed_at: '2026-12-01T10:00:00+08:00', entry: {} as never }
    expect(versionBy({ ...v, changed_by: '7', changed_by_name: '张敏' })).toBe('张敏')
    expect(versionBy({ ...v, changed_by: '7', changed_by_name: null })).toBe('用户 7')
    expect(versionBy({ ...v, changed_by: null, changed_by_name: null })).toBe('命令行或系统')
  })
  it('offers the workflow steps', () => {
    const steps = (status: string) => kbActions({ status }).map((a) => a.action)
    expect(steps('draft')).toEqual(['review'])
    expect(steps('reviewed')).toEqual(['publish', 'redraft'])
    expect(steps('published')).toEqual(['retire'])
    expect(steps('retired')).toEqual(['redraft'])
  })
  it('moves a revision in review, not the published entry', () => {
    const rev = { title: 't2', body: 'b2', category_code: '', keywords: [], status: 'draft', visibility: 'internal' }
    expect(kbActions({ status: 'published', revision: rev }).map((a) => a.action)).toEqual(['review', 'discard', 'retire'])
    expect(kbActions({ status: 'published', revision: { ...rev, status: 'reviewed' } }).map((a) => a.action))
      .toEqual(['publish', 'redraft', 'discard', 'retire'])
    // Editing again continues from the revision, on the entry's version.
    const e = { id: '1', title: 't', body: 'b', category_code: '', keywords: [], status: 'published', visibility: 'public', version: 3, revision: rev }
    expect(formOf(e)).toMatchObject({ title: 't2', body: 'b2', visibility: 'internal', version: 3 })
  })
  it('asks before an action that takes an answer away', () => {
    const now = Date.parse('2026-12-01T12:00:00+08:00')
    const e = { id: '1', title: '居住证', body: 'b', category_code: '', keywords: [], status: 'published', visibility: 'internal' }
    const rev = { ...e, title: '居住证（新）', status: 'reviewed', expires: '2021-01-01T00:00:00+08:00' }
    expect(kbConfirmOf(e, 'discard', now)).toContain('放弃')
    expect(kbConfirmOf(e, 'review', now)).toBeNull()
    expect(kbConfirmOf({ ...e, revision: { ...rev, expires: undefined } }, 'publish', now)).toBeNull()
    expect(kbConfirmOf({ ...e, revision: rev }, 'publish', now)).toContain('有效期已于 2020-12-31 结束')
    expect(kbConfirmOf({ ...e, revision: rev }, 'publish', now)).toContain('现行内容也随之下线')
    expect(kbConfirmOf({ ...e, status: 'reviewed', effective: '2030-01-01T00:00:00+08:00' }, 'publish', now)).toContain('2030-01-01 才生效')
  })
  it('builds and checks the body', () => {
    const f = { ...emptyKbForm(), title: ' 停水查询 ', body: '拨打热线', keywords: ['停水', ' 停水 ', ''] }
    expect(kbBody(f)).toEqual({ ok: true, body: { title: '停水查询', body: '拨打热线', keywords: ['停水'], visibility: 'internal' } })
    expect(kbBody({ ...f, title: '' })).toMatchObject({ ok: false, field: 'title' })
    expect(kbBody({ ...f, effective: '2026-12-01', expires: '2026-11-01' })).toMatchObject({ ok: false, field: 'expires' })
    expect(kbBody({ ...f, category_code: '0109', effective: '2026-12-01' })).toMatchObject({ ok: true, body: { category_code: '0109', effective: '2026-12-01' } })
  })
  it('reads an entry back into the form', () => {
    const e = { id: '1', title: 't', body: 'b', category_code: '01', keywords: ['k'], status: 'draft', visibility: 'public', effective: '2026-01-01T00:00:00+08:00' }
    expect(formOf(e)).toMatchObject({ visibility: 'public', effective: '2026-01-01', expires: '' })
  })
  it('shows the last day served and keeps times the editor did not change', () => {
    // Served through 12-31: it expires at 01-01 00:00 city time.
    expect(lastDay('2027-01-01T00:00:00+08:00')).toBe('2026-12-31')
    expect(lastDay('2026-12-31T23:59:00+08:00')).toBe('2026-12-31')
    const e = { id: '1', title: 't', body: 'b', category_code: '', keywords: [], status: 'published', visibility: 'internal',
      effective: '2026-12-01T19:21:00+08:00', expires: '2026-12-31T23:59:00+08:00', version: 4 }
    const f = formOf(e)
    expect([f.effective, f.expires]).toEqual(['2026-12-01', '2026-12-31'])
    expect(kbBody(f)).toMatchObject({ ok: true, body: { effective: e.effective, expires: e.expires, version: 4 } })
    // A day picked is sent as a date; one day of validity (from and through the same day) is allowed.
    expect(kbBody({ ...f, expires: '2026-12-01' })).toMatchObject({ ok: true, body: { effective: e.effective, expires: '2026-12-01' } })
  })
  it('parses terms', () => {
    expect(parseTerms('煤气 燃气，天然气、燃气')).toEqual(['煤气', '燃气', '天然气'])
    expect(hitWords([{ text: 'a', hit: false }, { text: '停水', hit: true }, { text: '停水', hit: true }])).toEqual(['停水'])
  })
})
