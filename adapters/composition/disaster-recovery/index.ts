/**
 * `zkeb-admin backup` and `zkeb-admin restore`: the service's own disaster recovery (docs/disaster-recovery.md).
 * Parsed here, with their own flags, so the rest of the admin CLI keeps its option set.
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { AdminError, type AdminIo, createOutput, ExitCode } from '../../admin-cli/output'
import { backupCommand } from './backup-command'
import { restoreCommand } from './restore-command'

export const disasterRecoveryHelp = `  backup --to DIR [--passphrase-file FILE]     (online; passphrase also from ZKEB_BACKUP_PASSPHRASE)
  restore --from DIR [--passphrase-file FILE]  (into an empty DATA_DIR or database and blob store)`

export const isDisasterRecoveryCommand = (argv: ReadonlyArray<string>): boolean =>
  argv[0] === 'backup' || argv[0] === 'restore'

const options = {
  json: { type: 'boolean' },
  to: { type: 'string' },
  from: { type: 'string' },
  'passphrase-file': { type: 'string' },
} as const

const parse = (argv: ReadonlyArray<string>) => {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (e) {
    throw new AdminError(ExitCode.usage, (e as Error).message.split('\n')[0] ?? 'bad arguments')
  }
}

/** Runs `backup` or `restore`; throws AdminError (or StartupError) like the other commands. */
export const disasterRecoveryCommand = async (argv: ReadonlyArray<string>, io: AdminIo): Promise<number> => {
  const { values, positionals } = parse(argv)
  const [command, ...extra] = positionals
  if (extra.length > 0) throw new AdminError(ExitCode.usage, `unexpected argument ${extra[0]}`)
  const out = createOutput(io, values.json === true)
  const passphraseFile = values['passphrase-file']
  const config = loadConfig(io.env)
  if (command === 'backup') {
    if (values.to === undefined) throw new AdminError(ExitCode.usage, 'usage: zkeb-admin backup --to DIR')
    return backupCommand(
      config,
      io.env,
      { to: values.to, ...(passphraseFile === undefined ? {} : { passphraseFile }) },
      out,
    )
  }
  if (values.from === undefined) throw new AdminError(ExitCode.usage, 'usage: zkeb-admin restore --from DIR')
  return restoreCommand(
    config,
    io.env,
    { from: values.from, ...(passphraseFile === undefined ? {} : { passphraseFile }) },
    out,
  )
}
