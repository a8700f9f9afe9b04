/** The backup commands: push PATH… (files and folders), ls [--trash], rm ID, restore ID. */
import { createReadStream } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'
import {
  listBackups,
  push,
  pushResumable,
  restoreBackup,
  trashBackup,
  type BackupView,
  type PushInput,
  type Session,
  type TransferProgress,
} from '../../sdk'
import { sdk, type Ctx, type Output } from '../context'
import { withSession } from '../kept-session'
import { cliError, ExitCode } from '../exit-codes'
import { createProgress, formatBytes } from '../progress'
import { resumablePartBytes, resumableThreshold, resumeStoreFor } from '../uploads-state'

type LocalFile = Readonly<{ path: string; name: string; size: number; mtime: Date }>

/** Regular files under `path` (itself if a file), named relative to the folder `path` is in; symlinks skipped. */
const filesUnder = async (path: string): Promise<LocalFile[]> => {
  const root = join(path, '..')
  const walk = async (p: string): Promise<LocalFile[]> => {
    const stat = await lstat(p).catch(() => cliError(ExitCode.localFile, `cannot read ${p}`))
    if (stat.isFile())
      return [{ path: p, name: relative(root, p).split('\\').join('/'), size: stat.size, mtime: stat.mtime }]
    if (!stat.isDirectory()) return []
    const entries = (await readdir(p)).sort()
    return (await Promise.all(entries.map((e) => walk(join(p, e))))).flat()
  }
  const found = await walk(path)
  return found.length === 1 && found[0]!.path === path ? [{ ...found[0]!, name: basename(path) }] : found
}

const pushOne = async (ctx: Ctx, session: Session, file: LocalFile) => {
  const progress = createProgress(ctx.io.stderr, file.name, !ctx.json)
  try {
    const input: PushInput = {
      source: () => createReadStream(file.path),
      metadata: { name: file.name, size: file.size, mtime: file.mtime.toISOString(), type: 'file', tags: [] },
      onProgress: (p: TransferProgress) => progress.update(p.phase === 'hash' ? 0 : p.bytes, p.total),
    }
    // Large files go over tus, so an interrupted push resumes where the server stands on the next run.
    const partBytes = resumablePartBytes(ctx.io.env)
    const stored = sdk(
      file.size >= resumableThreshold(ctx.io.env)
        ? await pushResumable(session, {
            ...input,
            store: resumeStoreFor(ctx.io.env, file),
            ...(partBytes === undefined ? {} : { partBytes }),
          })
        : await push(session, input),
    )
    return { backupId: stored.backupId, name: file.name, size: file.size }
  } finally {
    progress.done()
  }
}

export const pushCommand = (ctx: Ctx): Promise<Output> => {
  const paths = ctx.args.positionals.slice(1)
  if (paths.length === 0) return cliError(ExitCode.usage, 'usage: zkeb push PATH…')
  return withSession(ctx, async (session) => {
    const files = (await Promise.all(paths.map(filesUnder))).flat()
    const pushed = []
    for (const file of files) pushed.push(await pushOne(ctx, session, file))
    const text = pushed.map((p) => `${p.backupId}  ${formatBytes(p.size).padStart(10)}  ${p.name}\n`).join('')
    return { json: pushed, text: text === '' ? 'Nothing to push.\n' : text }
  })
}

const row = (b: BackupView): string => {
  const size = b.metadata === null ? '?' : formatBytes(b.metadata.size)
  const name = b.metadata?.name ?? '(metadata unreadable: written before a key rotation)'
  return `${b.backupId}  ${size.padStart(10)}  ${b.createdAt}  ${name}\n`
}

export const lsCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session) => {
    const items = sdk(await listBackups(session, { trash: ctx.args.booleans.has('trash') }))
    return { json: items, text: items.map(row).join('') }
  })

const idArg = (ctx: Ctx): string =>
  ctx.args.positionals[1] ?? cliError(ExitCode.usage, `usage: zkeb ${ctx.args.positionals[0]} ID`)

export const rmCommand = (ctx: Ctx): Promise<Output> => {
  const id = idArg(ctx)
  return withSession(ctx, async (session) => {
    sdk(await trashBackup(session, id))
    return { json: { backupId: id, trashed: true }, text: `Moved ${id} to the trash.\n` }
  })
}

export const restoreCommand = (ctx: Ctx): Promise<Output> => {
  const id = idArg(ctx)
  return withSession(ctx, async (session) => {
    const restored = sdk(await restoreBackup(session, id))
    return { json: restored, text: `Restored ${id}.\n` }
  })
}
