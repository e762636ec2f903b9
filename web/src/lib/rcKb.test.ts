import { describe, expect, it } from 'vitest'
import { emptyKbForm, formOf, hitWords, kbActions, kbBody, parseTerms } from './rcKb'

describe('kb helpers', () => {
  it('offers the workflow steps', () => {
    expect(kbActions('draft').map((a) => a.action)).toEqual(['review'])
    expect(kbActions('reviewed').map((a) => a.action)).toEqual(['publish', 'redraft'])
    expect(kbActions('published').map((a) => a.action)).toEqual(['retire'])
    expect(kbActions('retired').map((a) => a.action)).toEqual(['redraft'])
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
  it('parses terms', () => {
    expect(parseTerms('煤气 燃气，天然气、燃气')).toEqual(['煤气', '燃气', '天然气'])
    expect(hitWords([{ text: 'a', hit: false }, { text: '停水', hit: true }, { text: '停水', hit: true }])).toEqual(['停水'])
  })
})
