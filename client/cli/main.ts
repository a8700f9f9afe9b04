/**
 * `zkeb`, the ZKEB command-line client. `main(argv, io, options)` runs one command and resolves to its exit
 * code; it never calls process.exit, so tests drive it in-process with fake streams. Failures print one line
 * on stderr (`zkeb: …`), and with --json also `{"error": {…}}` on stdout.
 */
import { describeError, isZkebError } from '../sdk'
import { parseArgs } from './args'
import type { CliOptions, Ctx, Output } from './context'
import { CliError, ExitCode, exitCodeOf } from './exit-codes'
import { processIo, type CliIo } from './io'
import {
  loginCommand,
  logoutCommand,
  passwdCommand,
  quotaCommand,
  recoverCommand,
  registerCommand,
  rotateKeysCommand,
  whoamiCommand,
} from './commands/account'
import { auditCommand } from './commands/audit'
import { lsCommand, pushCommand, restoreCommand, rmCommand } from './commands/backups'
import { devicesCommand } from './commands/devices'
import { pullCommand } from './commands/pull'
import { resticTokenCommand } from './commands/restic-token'

export const usage = `Usage: zkeb COMMAND [ARGS] [--server URL] [--json]

Commands:
  register USERNAME [--name DEVICE]   create an account; prints the recovery key once
  login USERNAME [--name DEVICE]      set up this machine as a device and keep a session
  logout                              end the kept session (the device key stays)
  whoami                              show the account and this device
  devices [revoke ID]                 list devices, or revoke one
  push PATH...                        encrypt and upload files (folders recursively)
  ls [--trash]                        list backups (or the trash)
  pull ID [-o PATH]                   download, verify and decrypt a backup
  rm ID                               move a backup to the trash
  restore ID                          bring a backup back from the trash
  passwd                              change the password
  recover [USERNAME]                  set a new password with the recovery key
  rotate-keys                         rotate the master key (asks for the recovery key)
  quota                               show storage used and allowed
  audit                               show the audit trail and verify its hash chain
  restic-token create [--append-only] [--repo NAME] | ls | revoke ID
                                      tokens for the restic client (REST backend)

Every run unlocks the kept session with the password: typed without echo, or ZKEB_PASSWORD.
Also read from the environment: ZKEB_NEW_PASSWORD, ZKEB_RECOVERY_KEY, ZKEB_SERVER, ZKEB_CONFIG_DIR
(default: $XDG_CONFIG_HOME/zkeb or ~/.config/zkeb).

Exit codes: 0 ok, 1 unexpected, 2 usage, 3 not logged in, 4 wrong password/recovery key or not
allowed, 5 not found, 6 conflict, 7 over quota, 8 integrity (corrupt download, bad upload signature,
broken audit chain), 9 server unavailable or invalid answer, 10 local state corrupted, 11 local file
error.
`

type Command = (ctx: Ctx) => Promise<Output>

const commands: Readonly<Record<string, Command>> = {
  register: registerCommand,
  login: loginCommand,
  logout: logoutCommand,
  whoami: whoamiCommand,
  devices: devicesCommand,
  push: pushCommand,
  ls: lsCommand,
  pull: pullCommand,
  rm: rmCommand,
  restore: restoreCommand,
  passwd: passwdCommand,
  recover: recoverCommand,
  'rotate-keys': rotateKeysCommand,
  quota: quotaCommand,
  audit: auditCommand,
  'restic-token': resticTokenCommand,
}

const failureOf = (e: unknown): { exitCode: ExitCode; message: string } => {
  if (e instanceof CliError) return { exitCode: e.exitCode, message: e.message }
  if (isZkebError(e)) return { exitCode: exitCodeOf(e.error), message: describeError(e.error) }
  return {
    exitCode: ExitCode.unexpected,
    message: `unexpected error (${e instanceof Error ? e.name : 'unknown'})`,
  }
}

const report = (io: CliIo, json: boolean, e: unknown): ExitCode => {
  const { exitCode, message } = failureOf(e)
  io.stderr.write(`zkeb: ${message.replace(/\s+/g, ' ')}\n`)
  if (json) io.stdout.write(JSON.stringify({ error: { exitCode, message } }) + '\n')
  return exitCode
}

/** Runs one command line; resolves to the exit code. */
export const main = async (
  argv: ReadonlyArray<string>,
  io: CliIo = processIo(),
  options: CliOptions = {},
): Promise<ExitCode> => {
  const json = argv.includes('--json')
  try {
    const args = parseArgs(argv)
    const name = args.positionals[0]
    if (args.booleans.has('help') || name === undefined || name === 'help') {
      io.stdout.write(usage)
      return name === undefined && !args.booleans.has('help') ? ExitCode.usage : ExitCode.ok
    }
    const command =
      commands[name] ??
      ((): never => {
        throw new CliError(ExitCode.usage, `unknown command ${name}; see zkeb --help`)
      })
    const output = await command({ io, args, json, options })
    io.stdout.write(json ? JSON.stringify(output.json) + '\n' : output.text)
    return ExitCode.ok
  } catch (e) {
    return report(io, json, e)
  }
}
