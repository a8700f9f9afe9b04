/**
 * The per-file backup commands' part of the registry: push, ls, pull, rm, restore. ls and restore also take a
 * snapshot (registry/snapshots.ts): `ls SNAPSHOT[:PATH]`, `restore SNAPSHOT[:PATH] --target DIR`.
 */
import type { CommandSpec } from '../command-spec'
import { cliError, ExitCode } from '../exit-codes'

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module is loaded only when it runs */
const backups = () => require('../commands/backups') as typeof import('../commands/backups')
const pull = () => require('../commands/pull') as typeof import('../commands/pull')
const reading = () => require('../commands/snapshot-read') as typeof import('../commands/snapshot-read')
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
    summary: 'list backups, the trash, or a snapshot',
    usage: ['ls [--trash]', 'ls SNAPSHOT[:PATH]'],
    description:
      'Without SNAPSHOT, lists the per-file backups (id, size, date, name), or those in the trash. With ' +
      'SNAPSHOT, lists its entries (type, mode, size, mtime, path), or those under PATH inside it.',
    arguments: [
      ['SNAPSHOT', 'a snapshot id from `zkeb snapshots`, or a prefix of one that matches only it'],
      ['PATH', 'a path inside the snapshot, starting with the base name of a backed-up PATH'],
    ],
    options: [{ name: 'trash', long: '--trash', description: 'list the trash instead' }],
    env: ['ZKEB_PASSWORD'],
    load: () => (ctx) => {
      if (ctx.args.positionals[1] === undefined) return backups().lsCommand(ctx)
      if (ctx.args.booleans.has('trash'))
        return cliError(ExitCode.usage, '--trash lists per-file backups only')
      return reading().lsSnapshotCommand(ctx)
    },
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
    summary: 'restore a snapshot, or a backup from the trash',
    usage: ['restore SNAPSHOT[:PATH] --target DIR', 'restore ID'],
    description:
      'With --target, restores a snapshot (or the file or folder at PATH inside it) under DIR: files with ' +
      'their modes and mtimes, symlinks, empty folders; every chunk is verified. Run again after an ' +
      'interruption, it keeps the files already complete and writes the rest. Without --target, brings the ' +
      'per-file backup ID back from the trash.',
    arguments: [
      ['SNAPSHOT', 'a snapshot id from `zkeb snapshots`, or a prefix of one that matches only it'],
      ['PATH', 'a path inside the snapshot, starting with the base name of a backed-up PATH'],
      ['ID', 'a per-file backup (from `zkeb ls --trash`)'],
    ],
    options: [{ name: 'target', long: '--target', value: 'DIR', description: 'the folder to restore into' }],
    env: ['ZKEB_PASSWORD'],
    load: () => (ctx) =>
      ctx.args.values.target === undefined
        ? backups().restoreCommand(ctx)
        : reading().restoreSnapshotCommand(ctx),
  },
]
