/** `npm run docs:config`: rewrites docs/configuration.md from the configuration codec. */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { configurationDoc, configurationDocPath } from './config-docs'

const file = path.resolve(__dirname, '../..', configurationDocPath)
writeFileSync(file, configurationDoc())
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`)
