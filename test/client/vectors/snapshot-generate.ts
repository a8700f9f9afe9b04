/**
 * (Re)writes snapshot-v1.1.json: `npx tsx test/client/vectors/snapshot-generate.ts`.
 * Only run it for a deliberate wire-format change, and review the diff: other implementations check against it.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { computeSnapshotVectors } from './snapshot-v1.1'

const target = join(__dirname, 'snapshot-v1.1.json')

const main = async (): Promise<void> => {
  const json = JSON.stringify(await computeSnapshotVectors(), null, 2)
  const options = (await resolveConfig(target)) ?? {}
  writeFileSync(target, await format(json, { ...options, parser: 'json' }))
  process.stdout.write('wrote snapshot-v1.1.json\n')
}

void main()
