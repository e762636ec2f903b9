import { describe, expect, it } from 'vitest'
import { highlightTerms, parseSnippet, snippetText } from './rcSnippet'

describe('parseSnippet', () => {
  it('splits marked hits', () => {
    expect(parseSnippet('计划<em>停水</em>会提前;突发<em>停水</em>可')).toEqual([
      { text: '计划', hit: false }, { text: '停水', hit: true }, { text: '会提前;突发', hit: false },
      { text: '停水', hit: true }, { text: '可', hit: false },
    ])
  })
  it('decodes escaped text and keeps foreign tags literal', () => {
    expect(parseSnippet('a &lt;script&gt; &amp; <em>b</em>')).toEqual([
      { text: 'a <script> & ', hit: false }, { text: 'b', hit: true },
    ])
    expect(parseSnippet('<b>x</b>')).toEqual([{ text: '<b>x</b>', hit: false }])
  })
  it('handles unbalanced markers and empty input', () => {
    expect(parseSnippet('x<em>y')).toEqual([{ text: 'x<em>y', hit: false }])
    expect(parseSnippet('')).toEqual([])
    expect(parseSnippet(null)).toEqual([])
    expect(snippetText('…<em>电梯</em>坏了…')).toBe('…电梯坏了…')
  })
  it('merges adjacent hits', () => {
    expect(parseSnippet('<em>燃</em><em>气</em>')).toEqual([{ text: '燃气', hit: true }])
  })
})

describe('highlightTerms', () => {
  it('marks longest terms first, case-insensitively', () => {
    expect(highlightTerms('停水通知 Water', ['停水', 'water'])).toEqual([
      { text: '停水', hit: true }, { text: '通知 ', hit: false }, { text: 'Water', hit: true },
    ])
    expect(highlightTerms('abc', [])).toEqual([{ text: 'abc', hit: false }])
  })
})
