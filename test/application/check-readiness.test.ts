import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import { unavailable } from '../../application/errors'
import { checkReadiness } from '../../application/maintenance'

const probe = (name: string, ok: boolean, delayMs = 0) => ({
  name,
  check: () =>
    TE.tryCatch(
      () =>
        new Promise<void>((resolve, reject) =>
          setTimeout(() => (ok ? resolve() : reject(new Error(name))), delayMs),
        ),
      unavailable(name),
    ),
})

describe('checkReadiness', () => {
  it('is ready when every probe answers', async () => {
    const result = await checkReadiness({ probes: [probe('database', true), probe('cache', true)] })()()
    expect(result).to.deep.equal({ ready: true, checks: { database: 'ok', cache: 'ok' } })
  })

  it('names the failing probe and is not ready', async () => {
    const result = await checkReadiness({ probes: [probe('database', true), probe('blobs', false)] })()()
    expect(result).to.deep.equal({ ready: false, checks: { database: 'ok', blobs: 'failing' } })
  })

  it('runs the probes concurrently', async () => {
    const started = performance.now()
    await checkReadiness({
      probes: [probe('a', true, 100), probe('b', true, 100), probe('c', true, 100)],
    })()()
    expect(performance.now() - started).to.be.below(250)
  })
})
