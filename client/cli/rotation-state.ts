/**
 * Knows the CLI's interrupted key rotation: `rotation.json` beside state.json (folder 0700, file 0600, written
 * atomically), the rotation id and how far the pages went, per account. It holds no key: a re-run of
 * `zkeb rotate-keys` unwraps the new master key from the bundle the server staged, and the server lists what is
 * still to re-wrap, so a lost or stale file only costs a re-read of the listing from its start.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import type { RotationCheckpoint } from '../sdk'
import { configDir, writeFileAtomically } from './state'
import type { OutputStream } from './io'

type Env = Readonly<Record<string, string | undefined>>

const rotationPath = (env: Env) => `${configDir(env)}/rotation.json`

export type RotationStore = Readonly<{
  load: () => Promise<RotationCheckpoint | undefined>
  save: (checkpoint: RotationCheckpoint) => Promise<void>
  clear: () => Promise<void>
}>

export const rotationStoreFor = (env: Env, accountId: string): RotationStore => ({
  load: async () => {
    try {
      const kept = JSON.parse(await readFile(rotationPath(env), 'utf8')) as Record<string, RotationCheckpoint>
      return kept[accountId]
    } catch {
      // Missing or unreadable: the SDK finds the open rotation on the server anyway.
      return undefined
    }
  },
  save: async (checkpoint) => {
    const dir = configDir(env)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await writeFileAtomically(rotationPath(env), dir, JSON.stringify({ [accountId]: checkpoint }) + '\n')
  },
  clear: () => rm(rotationPath(env), { force: true }),
})

/** One line on stderr: redrawn in place on a terminal, else a line per tenth of the way (logs stay short). */
export const rotationProgress = (stream: OutputStream, enabled: boolean) => {
  let lastTenth = -1
  return (staged: number, total: number): void => {
    if (!enabled) return
    const line = `rotate-keys: ${staged}/${total} keys re-wrapped`
    if (stream.isTTY === true) return void stream.write(`\r${line}\x1b[K`)
    const tenth = total === 0 ? 10 : Math.floor((staged * 10) / total)
    if (tenth === lastTenth) return
    lastTenth = tenth
    stream.write(`${line}\n`)
  }
}
