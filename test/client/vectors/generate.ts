/**
 * (Re)writes protocol-v1.json: `npx tsx test/client/vectors/generate.ts`.
 * Only run it for a deliberate wire-format change, and review the diff: other implementations check against it.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { computeVectors } from './protocol-v1'

const target = join(__dirname, 'protocol-v1.json')

const main = async (): Promise<void> => {
  const json = JSON.stringify(await computeVectors(), null, 2)
  const options = (await resolveConfig(target)) ?? {}
  writeFileSync(target, await format(json, { ...options, parser: 'json' }))
  process.stdout.write('wrote protocol-v1.json\n')
}

void main()
