/**
 * The service a restore drill backs up, loses and restores: a real server process (`node --import tsx
 * adapters/composition/main.ts`, as `npm start` runs it) with either the embedded PostgreSQL and the blob files
 * in DATA_DIR (the default for a new folder), or an external PostgreSQL (a fresh database on a server the drill is
 * given) and an S3 bucket (a fresh one on the endpoint it is given). `zkeb-admin` runs as its own process,
 * as an operator runs it. Loopback only.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'
import pg from 'pg'
import { createS3Client, type S3Connection } from '../../adapters/blobs/s3/create-s3-client'
import { freePort, root, runProcess, type Running, untilHealthy } from './processes'

export type DrillTarget =
  Readonly<{ kind: 'embedded' }> | Readonly<{ kind: 'external'; databaseServerUrl: string; s3: S3Connection }>

export type AdminRun = Readonly<{ code: number | null; stdout: string; stderr: string; ms: number }>

const onServer = async (url: string, sql: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(sql).finally(() => client.end())
}

const databaseUrl = (serverUrl: string, name: string): string => {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

const emptyBucket = async (client: S3Client, bucket: string): Promise<void> => {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]))
    for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    if (keys.length === 0) return
  }
}

/** Where the data lives now: a database name and a bucket (external), created empty. */
type Place = Readonly<{ database: string; bucket: string }>

export const drillStack = async (target: DrillTarget, work: string) => {
  const port = await freePort()
  const dataDir = path.join(work, 'data')
  const s3 = target.kind === 'external' ? createS3Client(target.s3) : null
  const places: Place[] = []
  const newPlace = async (): Promise<Place> => {
    const place = {
      database: `zkeb_drill_${randomBytes(5).toString('hex')}`,
      bucket: `zkeb-drill-${randomBytes(5).toString('hex')}`,
    }
    if (target.kind === 'external') {
      await onServer(target.databaseServerUrl, `create database ${place.database}`)
      await s3!.send(new CreateBucketCommand({ Bucket: place.bucket }))
    }
    places.push(place)
    return place
  }
  let place = await newPlace()
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    OPAQUE_WORKERS: '1',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_REGISTRATION_PER_MINUTE: '10000',
    RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000',
    ...(target.kind === 'external'
      ? {
          DATABASE_URL: databaseUrl(target.databaseServerUrl, place.database),
          BLOB_STORE: 's3',
          S3_ENDPOINT: target.s3.endpoint ?? undefined,
          S3_REGION: target.s3.region,
          S3_BUCKET: place.bucket,
          S3_ACCESS_KEY_ID: target.s3.credentials?.accessKeyId,
          S3_SECRET_ACCESS_KEY: target.s3.credentials?.secretAccessKey,
          S3_FORCE_PATH_STYLE: String(target.s3.forcePathStyle),
        }
      : {}),
  })
  let server: Running | undefined
  return {
    kind: target.kind,
    base: `http://127.0.0.1:${port}`,
    dataDir,
    /** Starts the server and waits until /api/health is 200. */
    start: async () => {
      server = runProcess(
        'zkeb',
        port,
        process.execPath,
        ['--import', 'tsx', 'adapters/composition/main.ts'],
        env(),
      )
      await untilHealthy(server, 90_000)
    },
    /** SIGTERM: the server drains and must exit 0. */
    stop: async () => {
      const running = server
      server = undefined
      if (running === undefined || running.child.exitCode !== null) return
      running.child.kill('SIGTERM')
      const code = await running.exited
      if (code !== 0)
        throw new Error(`the server exited ${code} on SIGTERM:\n${running.output().slice(-2000)}`)
    },
    /** `zkeb-admin ARGS` with the server's configuration (plus `extra`). */
    admin: (args: ReadonlyArray<string>, extra: NodeJS.ProcessEnv = {}): Promise<AdminRun> =>
      new Promise((resolve) => {
        const started = Date.now()
        const child = spawn(process.execPath, ['adapters/admin-cli/bin.js', ...args], {
          cwd: root,
          env: { ...env(), ...extra },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
        child.once('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }))
      }),
    /** The files of DATA_DIR/secrets, by name: what the backup folder must never show in clear. */
    dataDirSecrets: async (): Promise<Record<string, string>> => {
      const folder = path.join(dataDir, 'secrets')
      const found: Record<string, string> = {}
      for (const name of await readdir(folder).catch(() => []))
        found[name] = (await readFile(path.join(folder, name), 'utf8')).trim()
      return found
    },
    /** Loses everything the service kept: DATA_DIR, and the database and the bucket's objects. */
    destroy: async () => {
      await rm(dataDir, { recursive: true, force: true })
      if (target.kind !== 'external') return
      await onServer(target.databaseServerUrl, `drop database if exists ${place.database} with (force)`)
      await emptyBucket(s3!, place.bucket)
    },
    /** An empty database and bucket for the restore (the embedded target is DATA_DIR itself). */
    freshTarget: async () => {
      place = await newPlace()
    },
    /** Whatever state the drill stopped in: the server asked to stop (PostgreSQL with it), then forced. */
    cleanup: async () => {
      if (server !== undefined && server.child.exitCode === null) {
        server.child.kill('SIGTERM')
        const timer = setTimeout(() => server?.child.kill('SIGKILL'), 20_000)
        await server.exited
        clearTimeout(timer)
      }
      if (target.kind === 'external') {
        for (const p of places) {
          await onServer(
            target.databaseServerUrl,
            `drop database if exists ${p.database} with (force)`,
          ).catch(() => undefined)
          await emptyBucket(s3!, p.bucket).catch(() => undefined)
          await s3!.send(new DeleteBucketCommand({ Bucket: p.bucket })).catch(() => undefined)
        }
        s3!.destroy()
      }
    },
  }
}

export type DrillStack = Awaited<ReturnType<typeof drillStack>>
