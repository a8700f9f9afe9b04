/**
 * Knows the CLI's in-progress resumable uploads: `uploads.json` beside state.json (folder 0700, file 0600,
 * written atomically), one entry per local file, keyed by its absolute path, size and modification time, so a
 * changed file starts over instead of resuming. An entry holds what the SDK needs to resume (the upload's path
 * and the signed description with the DEK wrapped under the BKK): it opens nothing without logging in.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { ResumableUpload, ResumeStore } from '../sdk'
import { configDir, writeFileAtomically } from './state'

type Env = Readonly<Record<string, string | undefined>>
type Entries = Record<string, ResumableUpload>

/** Files at least this large are pushed resumably (ZKEB_RESUMABLE_THRESHOLD, default 64 MiB). */
export const resumableThreshold = (env: Env): number => {
  const configured = Number(env.ZKEB_RESUMABLE_THRESHOLD)
  return Number.isSafeInteger(configured) && configured >= 0 ? configured : 64 * 1024 * 1024
}

/** Bytes per PATCH (ZKEB_RESUMABLE_PART_BYTES, default the SDK's 16 MiB). */
export const resumablePartBytes = (env: Env): number | undefined => {
  const configured = Number(env.ZKEB_RESUMABLE_PART_BYTES)
  return Number.isSafeInteger(configured) && configured > 0 ? configured : undefined
}

const uploadsPath = (env: Env) => `${configDir(env)}/uploads.json`

const readEntries = async (env: Env): Promise<Entries> => {
  try {
    const parsed = JSON.parse(await readFile(uploadsPath(env), 'utf8')) as unknown
    return typeof parsed === 'object' && parsed !== null ? (parsed as Entries) : {}
  } catch {
    // Missing or unreadable: nothing to resume; the upload starts over (the server collects the old one).
    return {}
  }
}

const writeEntries = async (env: Env, entries: Entries): Promise<void> => {
  const dir = configDir(env)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFileAtomically(uploadsPath(env), dir, JSON.stringify(entries, null, 2) + '\n')
}

export type LocalFileKey = Readonly<{ path: string; size: number; mtime: Date }>

export const resumeStoreFor = (env: Env, file: LocalFileKey): ResumeStore => {
  const key = `${resolve(file.path)}|${file.size}|${file.mtime.toISOString()}`
  return {
    load: async () => (await readEntries(env))[key],
    save: async (upload) => writeEntries(env, { ...(await readEntries(env)), [key]: upload }),
    clear: async () => {
      const { [key]: _, ...rest } = await readEntries(env)
      await writeEntries(env, rest)
    },
  }
}
