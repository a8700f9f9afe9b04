/**
 * The snapshot commands' part of the registry (protocol v1.1: deduplicated, incremental backups of folders):
 * backup, snapshots, diff, forget, check, stats. `ls SNAPSHOT[:PATH]` and `restore SNAPSHOT[:PATH] --target DIR`
 * are forms of ls and restore (registry/backups.ts).
 */
import type { CommandSpec } from '../command-spec'

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module is loaded only when it runs */
const backupRun = () => require('../commands/snapshot-backup') as typeof import('../commands/snapshot-backup')
const listing = () => require('../commands/snapshots') as typeof import('../commands/snapshots')
const reading = () => require('../commands/snapshot-read') as typeof import('../commands/snapshot-read')
/* eslint-enable @typescript-eslint/no-require-imports */

const SNAPSHOT = [
  'SNAPSHOT',
  'a snapshot id from `zkeb snapshots`, or a prefix of one that matches only it',
] as const

export const snapshotCommands: ReadonlyArray<CommandSpec> = [
  {
    name: 'backup',
    summary: 'back up folders as one deduplicated, incremental snapshot',
    usage: ['backup PATH... [--exclude PATTERN]... [--exclude-file FILE] [--tag TAG]... [--dry-run]'],
    description:
      'Backs up files and folders (with modes, mtimes, symlinks and empty folders) as one snapshot. Content is ' +
      'cut into chunks, encrypted, and only chunks the server lacks are sent. Files whose size, mtime, ctime ' +
      'and inode match the latest snapshot of the same host and PATHs are not read again. Ends with a summary: ' +
      'files new, changed and unchanged, bytes read, bytes sent, duration.',
    arguments: [['PATH', 'a file or folder; several may be given (distinct base names)']],
    options: [
      {
        name: 'exclude',
        long: '--exclude',
        value: 'PATTERN',
        repeatable: true,
        description: 'skip what matches (`*`, `**`, `?`; without "/" any path component, else anchored)',
      },
      {
        name: 'exclude-file',
        long: '--exclude-file',
        value: 'FILE',
        description: 'patterns one a line (# comments)',
      },
      {
        name: 'tag',
        long: '--tag',
        value: 'TAG',
        repeatable: true,
        description: 'a tag kept in the snapshot',
      },
      { name: 'dry-run', long: '--dry-run', description: 'read and count everything, store nothing' },
    ],
    env: ['ZKEB_PASSWORD'],
    load: () => backupRun().backupCommand,
  },
  {
    name: 'snapshots',
    summary: 'list snapshots',
    usage: ['snapshots'],
    description: 'Lists the snapshots newest first: short id, time, host, size of its files, PATHs and tags.',
    env: ['ZKEB_PASSWORD'],
    load: () => listing().snapshotsCommand,
  },
  {
    name: 'diff',
    summary: 'show what changed between two snapshots',
    usage: ['diff SNAP1 SNAP2'],
    description:
      'Lists the paths added (+), removed (-), modified (M) or changed in mode or mtime only (U) from SNAP1 to ' +
      'SNAP2.',
    arguments: [['SNAP1, SNAP2', SNAPSHOT[1]]],
    env: ['ZKEB_PASSWORD'],
    load: () => reading().diffCommand,
  },
  {
    name: 'forget',
    summary: 'forget snapshots (their data goes once no snapshot needs it)',
    usage: ['forget SNAPSHOT...'],
    description:
      'Deletes snapshots (there is no trash). Data no other snapshot references is collected by the server ' +
      'after its grace period. Every id is resolved first: one unknown or ambiguous id forgets nothing.',
    arguments: [SNAPSHOT],
    env: ['ZKEB_PASSWORD'],
    load: () => listing().forgetCommand,
  },
  {
    name: 'check',
    summary: 'verify snapshots are complete (--read-data: and readable)',
    usage: ['check [--read-data]'],
    description:
      'Opens every snapshot’s metadata and every folder it reaches, and asks the server for every chunk; with ' +
      '--read-data, downloads and verifies every chunk too. Problems are listed and exit 8.',
    options: [{ name: 'read-data', long: '--read-data', description: 'download and verify every chunk' }],
    env: ['ZKEB_PASSWORD'],
    load: () => reading().checkCommand,
  },
  {
    name: 'stats',
    summary: 'stored against logical bytes, and the dedup ratio',
    usage: ['stats'],
    description:
      'Shows the bytes the server stores for snapshots (encrypted, padded, each chunk once), the logical bytes ' +
      '(every snapshot’s files counted in full) and their ratio.',
    env: ['ZKEB_PASSWORD'],
    load: () => listing().statsCommand,
  },
]
