/**
 * The in-process Background: a piece starts only after the code that handed it over has run to its end (and
 * its promise jobs), at most `limit` wait at once, outcomes (Left, throw) go nowhere, and `settled` waits for
 * everything handed over so far.
 */
import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import { inProcessBackground } from '../../../adapters/in-memory/in-process-background'

describe('in-process Background', () => {
  it('starts a piece after the caller and its promise jobs are done', async () => {
    const background = inProcessBackground()
    const order: string[] = []
    background.run(TE.fromIO(() => void order.push('piece')))()
    order.push('caller')
    await Promise.resolve().then(() => order.push('promise job'))
    expect(order).to.deep.equal(['caller', 'promise job'])
    await background.settled()
    expect(order).to.deep.equal(['caller', 'promise job', 'piece'])
  })

  it('drops pieces beyond its limit, and counts them', async () => {
    const background = inProcessBackground(2)
    let ran = 0
    for (let i = 0; i < 5; i++) background.run(TE.fromIO(() => void (ran += 1)))()
    await background.settled()
    expect(ran).to.equal(2)
    expect(background.dropped()).to.equal(3)
    background.run(TE.fromIO(() => void (ran += 1)))()
    await background.settled()
    expect(ran).to.equal(3)
  })

  it('swallows a Left and a throw, and settles all the same', async () => {
    const background = inProcessBackground()
    background.run(TE.left('failed'))()
    background.run(() => Promise.reject(new Error('a bug')))()
    let ran = false
    background.run(TE.fromIO(() => void (ran = true)))()
    await background.settled()
    expect(ran).to.equal(true)
  })

  it('waits in settled for pieces handed over while it waits', async () => {
    const background = inProcessBackground()
    const done: number[] = []
    background.run(
      TE.fromTask(async () => {
        background.run(TE.fromIO(() => void done.push(2)))()
        await new Promise((resolve) => setTimeout(resolve, 10))
        done.push(1)
      }),
    )()
    await background.settled()
    expect(done.sort()).to.deep.equal([1, 2])
  })
})
