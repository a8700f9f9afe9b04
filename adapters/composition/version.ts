/** Knows the running version: package.json's, found above this file both from sources (tsx) and from dist/. */
import { readFileSync } from 'node:fs'
import path from 'node:path'

export const readVersion = (from: string = __dirname): string => {
  for (let folder = from; ; folder = path.dirname(folder)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'zkeb' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // no package.json here: keep climbing
    }
    if (folder === path.dirname(folder)) return 'unknown'
  }
}
