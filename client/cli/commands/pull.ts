/**
 * `zkeb pull ID [-o PATH]`: streams the decrypted content into a temporary file in the target folder, and only
 * when the whole stream has been verified (every segment authentic, the last one present, the hash and length
 * of the record) renames it into place. On any failure the temporary file is removed: no partial output.
 */
import { constants } from 'node:fs'
import { open, rename, rm, stat, utimes } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { pull, type BackupMetadata } from '../../sdk'
import { sdk, type Ctx, type Output } from '../context'
import { withSession } from '../kept-session'
import { cliError, CliError, ExitCode } from '../exit-codes'
import { createProgress } from '../progress'

/** A safe local file name from the metadata: its last path segment, never `..` or empty. */
const safeName = (metadata: BackupMetadata | null, backupId: string): string => {
  const last = metadata?.name.split(/[\\/]/).pop() ?? ''
  return last === '' || last === '.' || last === '..' ? backupId : last
}

const targetPath = async (output: string | undefined, name: string): Promise<string> => {
  if (output === undefined) return name
  const existing = await stat(output).catch(() => undefined)
  return existing?.isDirectory() === true ? join(output, name) : output
}

/** Writes `content` to `target` through a temporary sibling; removes the sibling on any failure. */
const writeVerified = async (target: string, content: AsyncIterable<Uint8Array>): Promise<void> => {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.zkeb-part`)
  const handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600).catch(
    () => cliError(ExitCode.localFile, `cannot write in ${dirname(target)}`),
  )
  try {
    for await (const chunk of content) await handle.write(chunk)
    await handle.sync()
    await handle.close()
    await rename(temp, target)
  } catch (e) {
    await handle.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw e instanceof Error && 'code' in e && !(e instanceof CliError) && typeof e.code === 'string'
      ? new CliError(ExitCode.localFile, `cannot write ${target}`)
      : e
  }
}

export const pullCommand = (ctx: Ctx): Promise<Output> => {
  const id = ctx.args.positionals[1] ?? cliError(ExitCode.usage, 'usage: zkeb pull ID [-o PATH]')
  return withSession(ctx, async (session) => {
    const progress = createProgress(ctx.io.stderr, id.slice(0, 8), !ctx.json)
    const pulled = sdk(await pull(session, id, (p) => progress.update(p.bytes, p.total)))
    const target = await targetPath(ctx.args.values.output, safeName(pulled.metadata, id))
    try {
      await writeVerified(target, pulled.content)
    } finally {
      progress.done()
    }
    if (pulled.metadata !== null) {
      const mtime = new Date(pulled.metadata.mtime)
      if (!Number.isNaN(mtime.getTime())) await utimes(target, mtime, mtime).catch(() => undefined)
    }
    return {
      json: { backupId: id, path: target, size: pulled.metadata?.size ?? null },
      text: `Pulled ${id} to ${target}\n`,
    }
  })
}
