/** The devices, audit and restic-token commands' part of the registry. */
import type { CommandSpec } from '../command-spec'

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module is loaded only when it runs */
const devices = () => require('../commands/devices') as typeof import('../commands/devices')
const audit = () => require('../commands/audit') as typeof import('../commands/audit')
const twoFactor = () => require('../commands/two-factor') as typeof import('../commands/two-factor')
const resticToken = () => require('../commands/restic-token') as typeof import('../commands/restic-token')
/* eslint-enable @typescript-eslint/no-require-imports */

export const deviceCommands: ReadonlyArray<CommandSpec> = [
  {
    name: 'devices',
    summary: 'list devices, or revoke one',
    usage: ['devices', 'devices revoke ID'],
    description:
      'Lists the account’s devices (names decrypted here), marking this one and the revoked ones; ' +
      '`revoke ID` revokes a device, which ends its sessions.',
    arguments: [['ID', 'the device to revoke (from `zkeb devices`)']],
    env: ['ZKEB_PASSWORD'],
    load: () => devices().devicesCommand,
  },
  {
    name: '2fa',
    summary: 'second factors: list, enrol an authenticator app, remove',
    usage: ['2fa [list]', '2fa enrol', '2fa remove ID'],
    description:
      'Lists the account’s second factors and the recovery codes left; `enrol` adds a TOTP authenticator app ' +
      '(prints its secret, then asks for a code from the app; the first one prints 10 one-time recovery ' +
      'codes, shown once); `remove ID` removes one (with the last go the recovery codes). Once enrolled, every ' +
      'login asks for a code (ZKEB_TOTP), or takes a recovery code (ZKEB_RECOVERY_CODE).',
    arguments: [['ID', 'the factor to remove (from `zkeb 2fa`)']],
    env: ['ZKEB_PASSWORD', 'ZKEB_TOTP', 'ZKEB_RECOVERY_CODE'],
    load: () => twoFactor().twoFactorCommand,
  },
  {
    name: 'audit',
    summary: 'show the audit trail and verify its hash chain',
    usage: ['audit'],
    description:
      'Shows the account’s audit trail and verifies its hash chain here; a broken chain names the first bad ' +
      'event and exits 8.',
    env: ['ZKEB_PASSWORD'],
    load: () => audit().auditCommand,
  },
  {
    name: 'restic-token',
    summary: 'tokens for the restic client (REST backend)',
    usage: ['restic-token create [--append-only] [--repo NAME]', 'restic-token ls', 'restic-token revoke ID'],
    description:
      'Creates, lists or revokes tokens that let the restic client use this account as a REST backend. ' +
      '`create` prints the token once, inside the RESTIC_REPOSITORY URL to export.',
    arguments: [['ID', 'the token to revoke (from `zkeb restic-token ls`)']],
    options: [
      {
        name: 'append-only',
        long: '--append-only',
        description: 'create: the token may add data but never delete or overwrite it',
      },
      {
        name: 'repo',
        long: '--repo',
        value: 'NAME',
        description: 'create: the repository name in the URL (default main)',
      },
    ],
    env: ['ZKEB_PASSWORD'],
    load: () => resticToken().resticTokenCommand,
  },
]
