/**
 * Every command, joined from the feature registries; main.ts dispatches through it and help.ts prints from it,
 * section by section. A new command adds its spec to one of these lists, or a new section here.
 */
import type { CommandSpec } from '../command-spec'
import { accountCommands } from './account'
import { backupCommands } from './backups'
import { deviceCommands } from './devices'
import { snapshotCommands } from './snapshots'

export type Section = Readonly<{ title: string; commands: ReadonlyArray<CommandSpec> }>

export const sections: ReadonlyArray<Section> = [
  { title: 'Account', commands: accountCommands },
  { title: 'Backups of single files', commands: backupCommands },
  { title: 'Snapshots of folders', commands: snapshotCommands },
  { title: 'Devices and access', commands: deviceCommands },
]

export const commands: ReadonlyArray<CommandSpec> = sections.flatMap((s) => s.commands)

const byName = new Map(commands.map((c) => [c.name, c]))
if (byName.size !== commands.length) throw new Error('two commands share a name')

export const commandNamed = (name: string): CommandSpec | undefined => byName.get(name)
