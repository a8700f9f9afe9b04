/**
 * What the browser tests run against: the web app built by Vite into a temporary folder, served with api-v1
 * by the real Koa app over the in-memory application, on 127.0.0.1. Every request body that reaches the
 * server is recorded (to prove no secret crosses the wire), and stored blobs can be tampered with at rest.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { createHttpApp, defaultHttpLimits } from '../../adapters/http/create-http-app'
import { loadWebAppFiles } from '../../adapters/http/web-app-files'
import { inMemoryBlobStore } from '../../adapters/in-memory/in-memory-blob-store'
import { inMemoryRateLimiter } from '../../adapters/in-memory/in-memory-rate-limiter'
import type { BlobStore } from '../../application/ports/blob-store'
import { looseRateLimits } from '../adapters/http/http-test-kit'
import type { ControllableClock } from '../support/controllable-clock'
import { inMemoryZkeb } from '../support/in-memory-zkeb'

export const chromiumPath = '/usr/bin/chromium'
export const chromiumPresent = (): boolean => existsSync(chromiumPath)

/** The flags this machine needs (docs: the node-svc machine notes); Playwright adds --headless and a fresh profile. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const repoRoot = resolve(__dirname, '../..')

/** `npm run build:web`, into `outDir` so a test never depends on (or overwrites) web/dist. */
export const buildWebApp = async (outDir: string): Promise<void> => {
  await promisify(execFile)(
    process.execPath,
    [
      join(repoRoot, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.mts',
      '--outDir',
      outDir,
    ],
    { cwd: repoRoot, env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
  )
}

export type Tamper = { enabled: boolean }

/** The in-memory blob store, except that while `tamper.enabled` the byte at offset 100 of a read is flipped. */
const tamperableBlobs = (tamper: Tamper): BlobStore => {
  const inner = inMemoryBlobStore()
  const flipAt = 100
  return {
    ...inner,
    read: (accountId, blobId, range) =>
      (async function* () {
        let offset = 0
        for await (const chunk of inner.read(accountId, blobId, range)) {
          const copy = Uint8Array.from(chunk)
          const at = flipAt - offset
          if (tamper.enabled && at >= 0 && at < copy.length) copy[at] = (copy[at] ?? 0) ^ 0x01
          offset += copy.length
          yield copy
        }
      })(),
  }
}

export type RecordedBody = Readonly<{ method: string; url: string; headers: string; body: Buffer }>

export type WebServer = Readonly<{
  base: string
  tamper: Tamper
  /** Every request as the server received it: request line, raw headers and body bytes. */
  received: RecordedBody[]
  /** The server's clock, which stands still until moved (to age a session past the fresh-login window). */
  clock: ControllableClock
  close: () => Promise<void>
}>

/** Records the request once answered; chunks are seen as the app reads them, without changing how it reads. */
const record = (req: IncomingMessage, res: ServerResponse, into: RecordedBody[]): void => {
  const chunks: Buffer[] = []
  const emit = req.emit.bind(req)
  // Readable.read() emits 'data' for every chunk it returns, however the app consumes the stream; a
  // 'data' listener of our own would switch the stream to flowing mode and lose chunks for the app.
  req.emit = ((event: string, ...args: unknown[]) => {
    if (event === 'data') chunks.push(Buffer.from(args[0] as Uint8Array))
    return emit(event, ...args)
  }) as typeof req.emit
  res.on('finish', () =>
    into.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.rawHeaders.join('\n'),
      body: Buffer.concat(chunks),
    }),
  )
}

export const startWebServer = async (): Promise<WebServer & { buildDir: string }> => {
  const buildDir = await mkdtemp(join(tmpdir(), 'zkeb-web-'))
  await buildWebApp(buildDir)
  const tamper: Tamper = { enabled: false }
  const zkeb = await inMemoryZkeb({ blobs: tamperableBlobs(tamper) })
  const app = createHttpApp({
    useCases: zkeb.useCases,
    rateLimiter: inMemoryRateLimiter(zkeb.clock),
    rateLimits: looseRateLimits,
    limits: defaultHttpLimits,
    version: 'web-test',
    trustProxy: false,
    webApp: await loadWebAppFiles(buildDir),
  })
  const received: RecordedBody[] = []
  const handle = app.callback()
  const server = createServer((req, res) => {
    record(req, res, received)
    void handle(req, res)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    tamper,
    received,
    clock: zkeb.clock,
    buildDir,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
      await rm(buildDir, { recursive: true, force: true })
    },
  }
}
