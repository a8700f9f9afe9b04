/**
 * A separate client process for the snapshot end-to-end proofs: the engine (client/snapshot) over HTTP against
 * a real server, as `zkeb backup|restore|check` run it, in a child process a test can kill -9.
 * Usage: tsx snapshot-driver.ts backup PATH... | restore SNAPSHOT TARGET | check [--read-data] | stats
 * Env: ZKEB_SERVER, ZKEB_USERNAME, ZKEB_PASSWORD. Prints one JSON line on success.
 */
import { hostname } from 'node:os'
import { backup, check, findSnapshot, restore } from '../../../client/snapshot'
import { connect, right } from './snapshot-client'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const main = async ([command, ...args]: ReadonlyArray<string>) => {
  const { repo, deviceId, sign } = await connect({
    base: env('ZKEB_SERVER'),
    username: env('ZKEB_USERNAME'),
    password: env('ZKEB_PASSWORD'),
  })
  switch (command) {
    case 'backup': {
      const result = right('backup', await backup(repo, { paths: args, host: hostname(), deviceId, sign }))
      return { snapshotId: result.snapshotId, summary: result.metadata.summary }
    }
    case 'restore':
      return right('restore', await restore(repo, await findSnapshot(repo, args[0]!), { target: args[1]! }))
    case 'check': {
      const report = right('check', await check(repo, { readData: args.includes('--read-data') }))
      return { ...report, problems: report.problems.map((p) => ({ ...p, error: p.error._tag })) }
    }
    case 'stats':
      return right('stats', await repo.store.stats()())
    case undefined:
    default:
      throw new Error(`unknown command ${command}`)
  }
}

main(process.argv.slice(2)).then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
    process.exitCode = 1
  },
)
