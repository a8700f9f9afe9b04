/** The per-file backup commands' part of the registry: push, ls, pull, rm, restore. */
import type { CommandSpec } from '../command-spec'

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module is loaded only when it runs */
const backups = () => require('../commands/backups') as typeof import('../commands/backups')
const pull = () => require('../commands/pull') as typeof import('../commands/pull')
/* eslint-enable @typescript-eslint/no-require-imports */

export const backupCommands: ReadonlyArray<CommandSpec> = [
  {
    name: 'push',
    summary: 'encrypt and upload files (folders recursively)',
    usage: ['push PATH...'],
    description:
      'Encrypts each file on this machine and uploads it as a backup of its own, named by its path relative to ' +
      'the folder PATH is in (names are encrypted too). Folders are walked recursively; symlinks are skipped. ' +
      'Large files go up resumably: an interrupted push continues where it stopped on the next run.',
    arguments: [['PATH', 'a file or folder to back up; several may be given']],
    env: ['ZKEB_PASSWORD', 'ZKEB_RESUMABLE_THRESHOLD', 'ZKEB_RESUMABLE_PART_BYTES'],
    load: () => backups().pushCommand,
  },
  {
    name: 'ls',
    summary: 'list backups (or the trash)',
    usage: ['ls [--trash]'],
    description: 'Lists the backups (id, size, date, name), or those in the trash.',
    options: [{ name: 'trash', long: '--trash', description: 'list the trash instead' }],
    env: ['ZKEB_PASSWORD'],
    load: () => backups().lsCommand,
  },
  {
    name: 'pull',
    summary: 'download, verify and decrypt a backup',
    usage: ['pull ID [-o PATH]'],
    description:
      'Downloads a backup, verifies every part and decrypts it into a file; nothing is left behind unless all ' +
      'of it verified. Without -o the file gets the backup’s name in the current folder.',
    arguments: [['ID', 'the backup (from `zkeb ls`)']],
    options: [
      {
        name: 'output',
        long: '--output',
        short: '-o',
        value: 'PATH',
        description: 'the file to write, or a folder to write it into under its own name',
      },
    ],
    env: ['ZKEB_PASSWORD'],
    load: () => pull().pullCommand,
  },
  {
    name: 'rm',
    summary: 'move a backup to the trash',
    usage: ['rm ID'],
    description: 'Moves a backup to the trash; `zkeb restore ID` brings it back until the trash is emptied.',
    arguments: [['ID', 'the backup (from `zkeb ls`)']],
    env: ['ZKEB_PASSWORD'],
    load: () => backups().rmCommand,
  },
  {
    name: 'restore',
    summary: 'bring a backup back from the trash',
    usage: ['restore ID'],
    description: 'Brings a backup back from the trash.',
    arguments: [['ID', 'the backup (from `zkeb ls --trash`)']],
    env: ['ZKEB_PASSWORD'],
    load: () => backups().restoreCommand,
  },
]
