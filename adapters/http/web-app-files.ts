/**
 * Knows the web app's built files (web/dist): read once at start into memory with their content type and
 * a strong ETag, so serving them is a map lookup and no request path ever reaches the file system.
 * The build is small (a few hundred KiB) and immutable while the server runs; restart after a rebuild.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join, relative, sep } from 'node:path'

export type WebAppFile = Readonly<{
  body: Buffer
  contentType: string
  etag: string
  /** Vite's content-hashed assets never change under their name: cached for a year, immutable. */
  immutable: boolean
}>

/** URL path (`/`, `/assets/index-3f2a.js`) → file. */
export type WebAppFiles = ReadonlyMap<string, WebAppFile>

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

/** Every file under `root`, by URL path; `/` is index.html. Dotfiles and source maps are not served. */
export const loadWebAppFiles = async (root: string): Promise<WebAppFiles> => {
  const files = new Map<string, WebAppFile>()
  for (const path of await filesUnder(root)) {
    const urlPath = '/' + relative(root, path).split(sep).join('/')
    if (urlPath.includes('/.') || urlPath.endsWith('.map')) continue
    const body = await readFile(path)
    files.set(urlPath, {
      body,
      contentType: contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: urlPath.startsWith('/assets/'),
    })
  }
  const index = files.get('/index.html')
  if (index !== undefined) files.set('/', index)
  return files
}
