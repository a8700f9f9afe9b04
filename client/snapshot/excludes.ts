/**
 * Knows exclude patterns, as restic reads them: `*` matches within one path component, `**` across
 * components, `?` one character. A pattern without "/" is tried against every component of the path (so
 * `node_modules` or `*.tmp` match at any depth); a pattern with "/" is anchored at the start of the absolute path
 * and matches the path itself or any folder above it. Paths are compared as UTF-8 text; bytes that are not
 * UTF-8 read as U+FFFD.
 */
const decoder = new TextDecoder('utf-8')

const escape = (c: string): string => c.replace(/[.+^${}()|[\]\\]/g, '\\$&')

/** The regular expression of one glob (whole-string match). */
export const globToRegExp = (glob: string): RegExp => {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*'
      i++
    } else if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else source += escape(c)
  }
  return new RegExp(`^${source}$`, 's')
}

export type Excluder = (absolutePath: Uint8Array) => boolean

export const excluder = (patterns: ReadonlyArray<string>): Excluder => {
  const cleaned = patterns.map((p) => p.trim()).filter((p) => p.length > 0 && !p.startsWith('#'))
  const byName = cleaned.filter((p) => !p.includes('/')).map(globToRegExp)
  const byPath = cleaned.filter((p) => p.includes('/')).map((p) => globToRegExp(p.replace(/\/+$/, '')))
  if (byName.length === 0 && byPath.length === 0) return () => false
  return (absolutePath) => {
    const path = decoder.decode(absolutePath)
    const parts = path.split('/').filter((p) => p.length > 0)
    if (byName.some((re) => parts.some((part) => re.test(part)))) return true
    return byPath.some((re) => parts.some((_, i) => re.test('/' + parts.slice(0, i + 1).join('/'))))
  }
}
