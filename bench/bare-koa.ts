/**
 * The framework ceiling: a bare Koa app (no router, no middleware) answering GET /<name> with the exact bytes and
 * content type ZKEB sent for that scenario. Run as its own process, like the server: `BARE_KOA_BODIES` names a
 * JSON file of { name: { type, base64 } }, `PORT` the port. Prints "listening" once ready.
 */
import { readFileSync } from 'node:fs'
import Koa from 'koa'

type Bodies = Record<string, { type: string; base64: string }>
const bodies = JSON.parse(readFileSync(process.env.BARE_KOA_BODIES ?? '', 'utf8')) as Bodies
const answers = new Map(
  Object.entries(bodies).map(([name, b]) => [
    `/${name}`,
    { type: b.type, body: Buffer.from(b.base64, 'base64') },
  ]),
)

const app = new Koa()
app.use((ctx) => {
  const answer = answers.get(ctx.path)
  if (answer === undefined) return
  ctx.type = answer.type
  ctx.body = answer.body
})
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'))
