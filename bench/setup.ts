/**
 * What the scenarios need before any load: accounts registered over OPAQUE, a device, sessions bound to it, 50
 * backups to list, a 4 KiB and a 100 MiB backup to download, the exact response bytes the bare-Koa ceiling must
 * return, and the drift check of bench/sql/*.sql against the SQL the server really sends.
 */
import { randomBytes } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import {
  addDevice,
  call,
  logIn,
  registerAccount,
  signedUpload,
  upload,
  type BenchAccount,
  type Device,
} from './fixtures'
import type { Postgres } from './services'
import { captureStatements } from './sql-capture'
import { describeDrift, firstDrift, readScript, scriptStatements } from './sql-script'

export type Prepared = Readonly<{
  account: BenchAccount
  device: Device
  token: string
  /** Accounts that only log in (the login scenario spreads over them). */
  loginAccounts: ReadonlyArray<BenchAccount>
  smallBackupId: string
  largeBackupId: string
  /** name → the body and content type the server answered (for the bare-Koa ceiling). */
  bodies: Record<string, { type: string; body: Buffer }>
  /** Problems of the SQL drift check; empty when every script matches. */
  drift: ReadonlyArray<string>
}>

export const largeBytes = 100 * 1024 ** 2

const bodyOf = async (base: string, path: string, token?: string) => {
  const res = await call(base, 'GET', path, token === undefined ? {} : { token })
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`)
  return {
    type: res.headers.get('content-type') ?? 'application/octet-stream',
    body: Buffer.from(await res.arrayBuffer()),
  }
}

export const prepare = async (base: string, pg: Postgres, loginAccountCount: number): Promise<Prepared> => {
  await opaque.ready
  const account = await registerAccount(base)
  const device = await addDevice(base, await logIn(base, account))
  const token = await logIn(base, account, device.deviceId)
  const loginAccounts = await Promise.all(
    Array.from({ length: loginAccountCount }, () => registerAccount(base)),
  )
  for (let i = 0; i < 49; i++) await upload(base, token, signedUpload(device, randomBytes(4096)))
  const small = signedUpload(device, randomBytes(4096))
  const large = signedUpload(device, randomBytes(largeBytes))
  await upload(base, token, large)

  const drift: Array<string> = []
  const check = async (name: string, request: () => Promise<void>) => {
    // The session's Redis cache entry lives 60 s; on a slow machine the 100 MiB upload above outlasts it, and
    // the first request after would add PostgreSQL's session lookup to the captured statements. Refill it first.
    await bodyOf(base, '/api/v1/backups?limit=1', token)
    const server = await captureStatements(pg, 'zkeb_app', request)
    const d = firstDrift(scriptStatements(readScript(name)), server)
    if (d !== undefined) drift.push(describeDrift(name, d))
  }
  await check('upload-4k', () => upload(base, token, small))
  await check('list-backups', async () => void (await bodyOf(base, '/api/v1/backups?limit=50', token)))
  await check('get-backup', async () => void (await bodyOf(base, `/api/v1/backups/${small.backupId}`, token)))

  const bodies = {
    live: await bodyOf(base, '/api/health/live'),
    list: await bodyOf(base, '/api/v1/backups?limit=50', token),
    get: await bodyOf(base, `/api/v1/backups/${small.backupId}`, token),
    download: await bodyOf(base, `/api/v1/backups/${small.backupId}/content`, token),
  }
  const listed = JSON.parse(bodies.list.body.toString()) as { items: ReadonlyArray<unknown> }
  if (listed.items.length !== 50) throw new Error(`the list returned ${listed.items.length} backups, not 50`)
  return {
    account,
    device,
    token,
    loginAccounts,
    smallBackupId: small.backupId,
    largeBackupId: large.backupId,
    bodies,
    drift,
  }
}
