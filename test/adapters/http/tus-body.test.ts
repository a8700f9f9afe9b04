/** The tus PATCH body handed to @tus/server: the request's own buffers, read only as fast as they are pulled. */
import type { IncomingMessage } from 'node:http'
import { PassThrough } from 'node:stream'
import { expect } from 'chai'
import { uncopiedBody } from '../../../adapters/http/tus/tus-body'

/** A request body the test feeds by hand (uncopiedBody needs only the Readable side of IncomingMessage). */
const aRequest = () => new PassThrough()
const asRequest = (stream: PassThrough) => stream as unknown as IncomingMessage

describe('tus: the PATCH body as a web stream @memory', () => {
  it('yields the very buffers that arrived, in order, then ends', async () => {
    const req = aRequest()
    const sent = [Buffer.from('first piece'), Buffer.from('second')]
    const reader = uncopiedBody(asRequest(req)).getReader()
    req.write(sent[0])
    req.end(sent[1])
    const first = await reader.read()
    const second = await reader.read()
    // The same memory, not a copy (Node 20's Readable.toWeb copies every piece).
    expect(first.value?.buffer).to.equal(sent[0]!.buffer)
    expect(second.value?.buffer).to.equal(sent[1]!.buffer)
    expect(Buffer.from(second.value!).toString()).to.equal('second')
    expect((await reader.read()).done).to.equal(true)
  })

  it('stops reading the request while nobody pulls', async () => {
    const req = aRequest()
    const body = uncopiedBody(asRequest(req))
    const reader = body.getReader()
    const big = Buffer.alloc(req.readableHighWaterMark * 4)
    for (let i = 0; i < 3; i++) req.write(big)
    await reader.read()
    await new Promise((resolve) => setImmediate(resolve))
    // One piece was pulled and at most one more queued (past the high-water mark, as toWeb does); the rest
    // waits in the request, which is paused rather than drained into memory.
    expect(req.isPaused()).to.equal(true)
    expect(req.readableLength + req.writableLength).to.be.at.least(big.length)
    await reader.read()
    await reader.read()
    req.end()
    expect((await reader.read()).done).to.equal(true)
  })

  it('fails the stream when the request fails, and destroys the request when cancelled', async () => {
    const failing = aRequest()
    const reader = uncopiedBody(asRequest(failing)).getReader()
    failing.destroy(new Error('client gone'))
    const failure = await reader.read().then(
      () => null,
      (e: unknown) => e,
    )
    expect(failure).to.be.instanceOf(Error)
    const cancelled = aRequest()
    await uncopiedBody(asRequest(cancelled)).cancel(new Error('store refused'))
    expect(cancelled.destroyed).to.equal(true)
  })
})
