// The knowledge base's highlighted snippets: the server marks matches with <em>…</em> and
// escapes &, < and > in the text itself (src/kb/kb.cc KbSnippet). We never hand the string
// to v-html: it is split into plain-text parts that Vue renders as text nodes.

export interface SnippetPart {
  text: string
  hit: boolean
}

const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'" }

export function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|#39);/g, (m) => entities[m] ?? m)
}

// "a<em>b</em>c" → [{a,false},{b,true},{c,false}]. Unbalanced or foreign tags stay literal
// text (they can only come from a broken server; rendering them as text keeps it safe).
export function parseSnippet(snippet: string | null | undefined): SnippetPart[] {
  const out: SnippetPart[] = []
  if (!snippet) return out
  const push = (text: string, hit: boolean) => {
    if (!text) return
    const t = decodeEntities(text)
    const last = out[out.length - 1]
    if (last && last.hit === hit) last.text += t
    else out.push({ text: t, hit })
  }
  let i = 0
  while (i < snippet.length) {
    const open = snippet.indexOf('<em>', i)
    if (open < 0) {
      push(snippet.slice(i), false)
      break
    }
    const close = snippet.indexOf('</em>', open + 4)
    if (close < 0) {
      push(snippet.slice(i), false)
      break
    }
    push(snippet.slice(i, open), false)
    push(snippet.slice(open + 4, close), true)
    i = close + 5
  }
  return out
}

// Plain text of a snippet (for titles, copy, aria labels).
export function snippetText(snippet: string | null | undefined): string {
  return parseSnippet(snippet).map((p) => p.text).join('')
}

// Highlights the words of a query in a plain text (titles and bodies the server did not
// snippet), case-insensitively, without HTML: the same parts as parseSnippet.
export function highlightTerms(text: string, terms: string[]): SnippetPart[] {
  const words = terms.map((t) => t.trim()).filter((t) => t.length > 0).sort((a, b) => b.length - a.length)
  if (!text) return []
  if (words.length === 0) return [{ text, hit: false }]
  const lower = text.toLowerCase()
  const out: SnippetPart[] = []
  let plain = ''
  let i = 0
  while (i < text.length) {
    const w = words.find((x) => lower.startsWith(x.toLowerCase(), i))
    if (w) {
      if (plain) out.push({ text: plain, hit: false })
      plain = ''
      const prev = out[out.length - 1]
      const piece = text.slice(i, i + w.length)
      if (prev && prev.hit) prev.text += piece
      else out.push({ text: piece, hit: true })
      i += w.length
    } else {
      plain += text[i]
      i += 1
    }
  }
  if (plain) out.push({ text: plain, hit: false })
  return out
}
