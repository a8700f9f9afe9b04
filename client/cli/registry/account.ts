/** The account commands' part of the registry: register, login, logout, whoami, passwd, recover, rotate-keys, quota. */
import type { CommandSpec, OptionSpec } from '../command-spec'

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module is loaded only when it runs */
const account = () => require('../commands/account') as typeof import('../commands/account')
const accountKeys = () => require('../commands/account-keys') as typeof import('../commands/account-keys')
/* eslint-enable @typescript-eslint/no-require-imports */

const deviceName: OptionSpec = {
  name: 'name',
  long: '--name',
  value: 'DEVICE',
  description:
    'the name this machine gets as a device (default: its host name); encrypted, the server never sees it',
}

export const accountCommands: ReadonlyArray<CommandSpec> = [
  {
    name: 'register',
    summary: 'create an account; prints the recovery key once',
    usage: ['register USERNAME [--name DEVICE]'],
    description:
      'Creates the account USERNAME on the server (OPAQUE: the password never leaves this machine), sets this ' +
      'machine up as its first device and keeps a session, so later commands need only the password. The new ' +
      'password is typed twice without echo, or read from ZKEB_PASSWORD. Prints the recovery key once: keep ' +
      'it offline, it is the only way back in without the password. The server is kept in config.json as ' +
      'the default for later commands.',
    arguments: [['USERNAME', 'the account name to create']],
    options: [deviceName],
    env: ['ZKEB_PASSWORD'],
    load: () => account().registerCommand,
  },
  {
    name: 'login',
    summary: 'set up this machine as a device and keep a session',
    usage: ['login [USERNAME] [--name DEVICE]'],
    description:
      'Logs in as USERNAME (default: the account of the local state), sets this machine up as a device if it ' +
      'is not one yet, and keeps the session for later commands. The server is kept in config.json as the ' +
      'default for later commands.',
    arguments: [['USERNAME', 'the account to log in to (default: the one this machine was logged in to)']],
    options: [deviceName],
    env: ['ZKEB_PASSWORD', 'ZKEB_TOTP', 'ZKEB_RECOVERY_CODE'],
    load: () => account().loginCommand,
  },
  {
    name: 'logout',
    summary: 'end the kept session (the device key stays)',
    usage: ['logout'],
    description:
      'Ends the kept session on the server and forgets it here. The device key stays, so `zkeb login` ' +
      'resumes as the same device.',
    env: ['ZKEB_PASSWORD'],
    load: () => account().logoutCommand,
  },
  {
    name: 'whoami',
    summary: 'show the account, this device and the server',
    usage: ['whoami'],
    description:
      'Shows the account, this device, and the server the command talked to (and where that came from).',
    env: ['ZKEB_PASSWORD'],
    load: () => account().whoamiCommand,
  },
  {
    name: 'passwd',
    summary: 'change the password',
    usage: ['passwd'],
    description:
      'Changes the password: the current one unlocks the session, the new one is typed twice (or read from ' +
      'ZKEB_NEW_PASSWORD). Other sessions are ended; backups are untouched.',
    env: ['ZKEB_PASSWORD', 'ZKEB_NEW_PASSWORD'],
    load: () => accountKeys().passwdCommand,
  },
  {
    name: 'recover',
    summary: 'set a new password with the recovery key',
    usage: ['recover [USERNAME]'],
    description:
      'Sets a new password with the recovery key printed by `zkeb register`, then keeps a session as with ' +
      '`zkeb login`. Backups are untouched.',
    arguments: [['USERNAME', 'the account (default: the one of the local state)']],
    env: ['ZKEB_RECOVERY_KEY', 'ZKEB_NEW_PASSWORD', 'ZKEB_TOTP', 'ZKEB_RECOVERY_CODE'],
    load: () => account().recoverCommand,
  },
  {
    name: 'rotate-keys',
    summary: 'rotate the master key (asks for the recovery key)',
    usage: ['rotate-keys'],
    description:
      'Replaces the master key: every backup’s data key is re-wrapped under the new one (content is not ' +
      're-encrypted), and a keyring backup keeps earlier names readable. Asks for the recovery key: the new ' +
      'master key is wrapped under it too, so it stays the same.',
    env: ['ZKEB_PASSWORD', 'ZKEB_RECOVERY_KEY'],
    load: () => accountKeys().rotateKeysCommand,
  },
  {
    name: 'quota',
    summary: 'show storage used and allowed',
    usage: ['quota'],
    description: 'Shows the storage the account uses and the most it may use.',
    env: ['ZKEB_PASSWORD'],
    load: () => account().quotaCommand,
  },
]
