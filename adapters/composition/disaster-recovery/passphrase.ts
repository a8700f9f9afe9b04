/**
 * Knows where the operator's backup passphrase comes from: `--passphrase-file FILE` (its first line), else the
 * variable ZKEB_BACKUP_PASSPHRASE. Never from the command line itself, which other users can read in `ps`.
 * SECURITY: the passphrase is never printed; messages name the source, not the value.
 */
import { readFile } from 'node:fs/promises'
import { AdminError, ExitCode } from '../../admin-cli/output'

export const passphraseVariable = 'ZKEB_BACKUP_PASSPHRASE'

/** age's advice for a passphrase scrypt protects: enough random characters to resist offline guessing. */
export const minimumPassphraseLength = 12

export const readPassphrase = async (
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  purpose: 'backup' | 'restore',
): Promise<string> => {
  const found =
    file !== undefined
      ? ((
          await readFile(file, 'utf8').catch(() => {
            throw new AdminError(ExitCode.usage, `cannot read the passphrase file ${file}`)
          })
        ).split(/\r?\n/)[0] ?? '')
      : (env[passphraseVariable] ?? '')
  if (found === '')
    throw new AdminError(
      ExitCode.usage,
      `the ${purpose} needs the operator passphrase: --passphrase-file FILE or ${passphraseVariable}`,
    )
  if (purpose === 'backup' && found.length < minimumPassphraseLength)
    throw new AdminError(
      ExitCode.usage,
      `the passphrase must have at least ${minimumPassphraseLength} characters (it guards the backup's secrets)`,
    )
  return found
}
