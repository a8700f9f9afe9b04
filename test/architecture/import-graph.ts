/**
 * Knows the project's import graph as TypeScript sees it, `import type` and `export … from` included, and its
 * cycles. Lint's import-x/no-cycle skips type-only imports; this graph counts them too, since a cycle of
 * types still ties two modules into one unit to read, test and change.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

/** Every folder whose sources form the graph, relative to the repository root. */
export const sourceRoots = ['domain', 'application', 'adapters', 'client', 'web/src', 'bench', 'ops', 'test']

const sourceFile = /\.(ts|tsx|mts)$/

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full)
    return sourceFile.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : []
  })

/** Source text by path relative to `root` ('/' separators). */
export const readSources = (root: string): Map<string, string> =>
  new Map(
    sourceRoots
      .map((dir) => path.join(root, dir))
      .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true)
      .flatMap(walk)
      .map((file) => [path.relative(root, file).split(path.sep).join('/'), readFileSync(file, 'utf8')]),
  )

const candidates = (base: string): string[] => [
  base,
  ...['.ts', '.tsx', '.mts', '/index.ts', '/index.tsx'].map((suffix) => base + suffix),
  base.replace(/\.js$/, '.ts'),
]

/** Each file's relative imports that name another file of `sources`; packages and assets are left out. */
export const importGraph = (sources: ReadonlyMap<string, string>): Map<string, string[]> =>
  new Map(
    [...sources].map(([file, text]) => {
      const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((i) => i.fileName)
      const targets = specifiers
        .filter((s) => s.startsWith('.'))
        .map((s) => candidates(path.posix.normalize(path.posix.join(path.posix.dirname(file), s))))
        .map((options) => options.find((option) => sources.has(option)))
        .filter((target): target is string => target !== undefined && target !== file)
      return [file, [...new Set(targets)]]
    }),
  )

/** The strongly connected components with more than one file (Tarjan), each sorted, for stable messages. */
export const cyclesOf = (graph: ReadonlyMap<string, ReadonlyArray<string>>): string[][] => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string | undefined
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1) found.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}
