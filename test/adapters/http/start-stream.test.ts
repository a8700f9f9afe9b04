/**
 * startStream (the download body of the one-shot and restic routes): the store's iterator is pulled once
 * before answering, then streamed, and returned when the response is destroyed (client gone), since a blob
 * store's read may hold a database connection until then (the knex store's COPY).
 */
import { setImmediate as tick } from 'node:timers/promises'
import { expect } from 'chai'
import { startStream } from '../../../adapters/http/routes/backups-content'

/** A store read that records whether it was pulled to its end or returned early. */
const aRead = (pieces: number) => {
  const seen = { pulled: 0, finished: false }
  async function* read(): AsyncGenerator<Uint8Array> {
    try {
      for (; seen.pulled < pieces; seen.pulled++) {
        await tick()
        yield Buffer.alloc(1024, seen.pulled)
      }
    } finally {
      seen.finished = true
    }
  }
  return { seen, content: read() }
}

describe('startStream', () => {
  it('streams every piece and finishes the read', async () => {
    const { seen, content } = aRead(5)
    const stream = await startStream(content)
    let bytes = 0
    for await (const chunk of stream) bytes += (chunk as Buffer).length
    expect(bytes).to.equal(5 * 1024)
    expect(seen).to.deep.equal({ pulled: 5, finished: true })
  })

  it("returns the store's iterator when the stream is destroyed part-way", async () => {
    const { seen, content } = aRead(1000)
    const stream = await startStream(content)
    await new Promise((resolve) => stream.once('data', resolve))
    stream.destroy()
    for (let i = 0; i < 100 && !seen.finished; i++) await tick()
    expect(seen.finished).to.equal(true)
    expect(seen.pulled).to.be.lessThan(1000)
  })
})
