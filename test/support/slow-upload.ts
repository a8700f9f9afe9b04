/** An upload that stays in flight for a while: for tests of what a server does to requests while it drains. */
import { request } from 'node:http'
import { uploadHeaders } from '../adapters/http/http-test-kit'
import type { anUpload } from './test-client'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** PUT of `content` in `pieces` writes `gapMs` apart; resolves with the status. `onFirstWrite` runs once sent. */
export const slowUpload = (
  port: number,
  token: string,
  upload: ReturnType<typeof anUpload>,
  timing: Readonly<{ pieces: number; gapMs: number; onFirstWrite: () => void }>,
): Promise<number> =>
  new Promise((resolve, reject) => {
    const body = Buffer.from(upload.content)
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `/api/v1/backups/${upload.input.backupId}/content`,
        headers: {
          ...uploadHeaders(upload),
          Authorization: `Bearer ${token}`,
          'Content-Length': body.length,
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    const size = Math.ceil(body.length / timing.pieces)
    void (async () => {
      for (let i = 0; i < timing.pieces; i++) {
        req.write(body.subarray(i * size, (i + 1) * size))
        if (i === 0) timing.onFirstWrite()
        await sleep(timing.gapMs)
      }
      req.end()
    })()
  })
