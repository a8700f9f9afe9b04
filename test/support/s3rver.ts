/**
 * A real S3 endpoint for adapter tests: s3rver (the npm devDependency) in a child process on a free loopback
 * port with a temp data folder, started once per test process and stopped when it exits. Each suite gets a
 * bucket of its own. A child process keeps s3rver's memory out of the measurements of the adapter, and lets it
 * run with --openssl-legacy-provider (without it, truncated ListObjectsV2 answers 500 on Node 20).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3'
import { createS3Client, type S3Connection } from '../../adapters/blobs/s3/create-s3-client'
import { freePort } from './redis'

export type S3rver = Readonly<{ connection: S3Connection; process: ChildProcess; dataDir: string }>

const answers = async (client: S3Client, withinMs: number): Promise<void> => {
  const deadline = Date.now() + withinMs
  for (;;) {
    try {
      await client.send(new ListBucketsCommand({}))
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

const start = async (): Promise<S3rver> => {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'zkeb-test-s3rver-'))
  const child = spawn(
    process.execPath,
    [
      require.resolve('s3rver/bin/s3rver.js'),
      '-d',
      dataDir,
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '--silent',
    ],
    { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' } },
  )
  const stop = (): void => {
    child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  }
  process.once('exit', stop)
  const connection: S3Connection = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  }
  const probe = createS3Client(connection)
  try {
    await answers(probe, 15_000)
  } catch (error) {
    stop()
    throw error
  } finally {
    probe.destroy()
  }
  return { connection, process: child, dataDir }
}

let shared: Promise<S3rver> | undefined
/** The process-wide s3rver (started on first use). */
export const s3rver = (): Promise<S3rver> => (shared ??= start())

/** A client of the shared s3rver and a fresh bucket of its own. */
export const s3ForTest = async (): Promise<{ client: S3Client; bucket: string; server: S3rver }> => {
  const server = await s3rver()
  const client = createS3Client(server.connection)
  const bucket = `zkeb-test-${randomBytes(6).toString('hex')}`
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  return { client, bucket, server }
}
