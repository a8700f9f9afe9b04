/**
 * The documentation works from a fresh clone: README.md stays short enough to read, and every link in the
 * repository's markdown points inside the repository at a file, folder or heading that exists. Web links
 * (http, https, mailto) are not fetched. The checker is exercised on planted mistakes first, so a checker
 * that finds nothing cannot pass.
 */
import { expect } from 'chai'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const repositoryRoot = path.resolve(__dirname, '../..')
/** Where the repository keeps markdown: root-level files plus these folders, walked recursively. */
const markdownFolders = ['docs', 'bench', 'ops', 'migrations']
const readmeLineLimit = 200

type Problem = Readonly<{ file: string; target: string; reason: string }>

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0)

const walkMarkdown = (root: string, folder: string): string[] => {
  const absolute = path.join(root, folder)
  if (!existsSync(absolute)) return []
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(folder, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walkMarkdown(root, child)
    return entry.name.endsWith('.md') ? [child] : []
  })
}

/** Every markdown file the check covers, relative to `root`. */
export const markdownFiles = (root: string): string[] => [
  ...readdirSync(root).filter((name) => name.endsWith('.md') && statSync(path.join(root, name)).isFile()),
  ...markdownFolders.flatMap((folder) => walkMarkdown(root, folder)),
]

/** The text without fenced code blocks (their lines blanked, so nothing in them counts as a link or heading). */
const withoutFences = (text: string): string => {
  let fence: string | undefined
  return text
    .split('\n')
    .map((line) => {
      const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1]
      if (fence === undefined && marker !== undefined) fence = marker
      else if (
        fence !== undefined &&
        marker !== undefined &&
        marker[0] === fence[0] &&
        marker.length >= fence.length
      )
        fence = undefined
      else return fence === undefined ? line : ''
      return ''
    })
    .join('\n')
}

/** Prose only: no code blocks, code spans or HTML comments. */
const prose = (text: string): string =>
  withoutFences(text)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/(`+)[\s\S]*?\1/g, '')

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export const headingAnchors = (text: string): Set<string> => {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of withoutFences(text).split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1]!)
    if (heading === undefined) continue
    const slug = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** Link targets: inline links and images, reference definitions and autolinks. */
export const linkTargets = (text: string): string[] => {
  const body = prose(text)
  const inline = [...body.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!)
  const definitions = [...body.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!)
  const autolinks = [...body.matchAll(/<([a-z][a-z0-9+.-]*:[^\s>]+)>/gi)].map((m) => m[1]!)
  return [...inline, ...definitions, ...autolinks]
}

const webSchemes = /^(https?|mailto):/i

/** What is wrong with the links of `file` (relative to `root`); empty when every link resolves. */
export const linkProblems = (root: string, file: string): Problem[] => {
  const text = readFileSync(path.join(root, file), 'utf8')
  const problems: Problem[] = []
  const report = (target: string, reason: string) => problems.push({ file, target, reason })
  for (const mention of text.match(/\/work\/|\.\.\/shared\/|file:\/\//g) ?? [])
    report(mention, 'names a place outside the repository')
  for (const target of linkTargets(text)) {
    if (webSchemes.test(target)) continue
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) report(target, 'uses a scheme that leaves the repository')
    else if (target.startsWith('/')) report(target, 'is an absolute path')
    else {
      const [rawPath = '', anchor] = target.split('#', 2)
      const resolved =
        rawPath === ''
          ? path.join(root, file)
          : path.resolve(root, path.dirname(file), decodeURIComponent(rawPath))
      const inside = path.relative(root, resolved)
      if (inside.startsWith('..') || path.isAbsolute(inside)) report(target, 'leaves the repository')
      else if (!existsSync(resolved)) report(target, 'names a file that does not exist')
      else if (anchor !== undefined && resolved.endsWith('.md')) {
        if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase()))
          report(target, 'names a heading that does not exist')
      }
    }
  }
  return problems
}

const describeProblems = (problems: ReadonlyArray<Problem>): string =>
  problems.map((p) => `${p.file}: ${p.target} ${p.reason}`).join('\n')

describe('documentation', () => {
  describe('the link checker', () => {
    let root: string
    before(() => {
      root = mkdtempSync(path.join(tmpdir(), 'zkeb-docs-'))
      mkdirSync(path.join(root, 'docs'))
      writeFileSync(
        path.join(root, 'docs', 'a.md'),
        '# Title\n\n## Second part (v1.1)\n\n## Second part (v1.1)\n',
      )
    })
    after(() => rmSync(root, { recursive: true, force: true }))

    const problemsOf = (markdown: string): string[] => {
      writeFileSync(path.join(root, 'docs', 'probe.md'), markdown)
      return linkProblems(root, 'docs/probe.md').map((p) => p.reason)
    }

    it('accepts links to files, folders and headings that exist, and web links', () => {
      const ok =
        '[a](a.md) [b](a.md#second-part-v11) [c](a.md#second-part-v11-1) [d](../docs/) [e](https://x.org/)'
      expect(
        problemsOf(`${ok}\n\n# Here\n\n[f](#here) \`[g](nowhere.md)\`\n\n\`\`\`\n[h](nowhere.md)\n\`\`\`\n`),
      ).to.eql([])
    })

    it('refuses links that leave the repository', () => {
      expect(problemsOf('[a](../../shared/docs/api-v1.md)')).to.include('leaves the repository')
      expect(problemsOf('[a](/work/shared/docs/api-v1.md)')).to.include('is an absolute path')
      expect(problemsOf('[a](file:///etc/passwd)')).to.include('uses a scheme that leaves the repository')
      expect(problemsOf('see /work/shared/docs for more')).to.include('names a place outside the repository')
    })

    it('refuses links to files and headings that do not exist', () => {
      expect(problemsOf('[a](b.md)')).to.eql(['names a file that does not exist'])
      expect(problemsOf('[a](a.md#third-part)')).to.eql(['names a heading that does not exist'])
      expect(problemsOf('# Here\n\n[a](#there)')).to.eql(['names a heading that does not exist'])
    })
  })

  it(`keeps README.md within ${readmeLineLimit} lines`, () => {
    expect(lineCount(readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8'))).to.be.at.most(
      readmeLineLimit,
    )
  })

  it('links only to files and headings inside the repository that exist', () => {
    const files = markdownFiles(repositoryRoot)
    expect(files).to.include.members(['README.md', 'docs/api.md', 'docs/protocol.md', 'bench/RESULTS.md'])
    expect(describeProblems(files.flatMap((file) => linkProblems(repositoryRoot, file)))).to.equal('')
  })
})
