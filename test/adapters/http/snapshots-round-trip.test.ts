/**
 * The real snapshot engine (client/snapshot) against a real server over PostgreSQL, through the SDK's HTTP
 * SnapshotStore (client/snapshot/http-store.ts): back up, restore, back up again, check, forget; then the
 * server's logs hold none of what was sent.
 */
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { backup, check, restore, type Repository } from '../../../client/snapshot'
import {
  removeDir,
  repositoryOver,
  tempDir,
  expectSameFolder,
  generateTree,
} from '../../client/snapshot/snapshot-kit'
import { aSnapshotUser, sent, type SnapshotUser, statsOf } from '../../support/snapshot-http-kit'
import { type SnapshotServer, startSnapshotServer } from '../../support/snapshot-server'
import { httpCaller } from './http-test-kit'

const right = <A>(e: E.Either<{ _tag: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(`unexpected Left: ${JSON.stringify(e.left)}`)
  return e.right
}

describe('HTTP snapshots: a round trip with the real client engine (PostgreSQL)', function () {
  this.timeout(180_000)
  let server: SnapshotServer
  let user: SnapshotUser
  let repo: Repository
  const dirs: string[] = []
  const fresh = async (name: string) => {
    const d = await tempDir(name)
    dirs.push(d)
    return d
  }
  let source: string
  let firstId: string

  before(async () => {
    server = await startSnapshotServer()
    user = await aSnapshotUser({ call: httpCaller(server.base) })
    repo = await repositoryOver(user.store)
    source = join(await fresh('source'), 'tree')
    await generateTree(source, 3 * 1024 * 1024)
  })
  after(async () => {
    await server.close()
    for (const d of dirs) await removeDir(d)
  })

  const run = () =>
    backup(repo, {
      paths: [source],
      host: 'test-host',
      deviceId: user.deviceId,
      sign: user.signer.sign,
    }).then(right)

  it('backs up a tree and restores it identically', async () => {
    const first = await run()
    firstId = first.snapshotId
    expect(first.record?.receivedAt).to.be.a('string')
    const target = await fresh('restore')
    right(await restore(repo, first.record!, { target }))
    await expectSameFolder(join(target, 'tree'), source)
    const stats = await statsOf(user)
    expect(stats.snapshots).to.equal(1)
    expect(stats.storedBytes).to.be.greaterThan(3 * 1024 * 1024)
    expect(stats.packBytes).to.be.at.least(stats.storedBytes)
  })

  it('sends nothing for an unchanged tree and names the first snapshot as its parent', async () => {
    const before = await statsOf(user)
    const second = await run()
    expect(second.metadata.summary).to.include({ bytesSent: 0, filesNew: 0, filesChanged: 0 })
    expect(second.metadata.parent).to.equal(firstId)
    const after = await statsOf(user)
    expect({ ...after, snapshots: 0 }).to.deep.equal({ ...before, snapshots: 0 })
    expect(after.snapshots).to.equal(2)
  })

  it('passes check with read-data: every object stored, authentic, under its id', async () => {
    const report = right(await check(repo, { readData: true }))
    expect(report.problems).to.deep.equal([])
  })

  it('counts the snapshot bytes in the account’s quota', async () => {
    const account = await user.call('GET', '/api/v1/account')
    const { quota } = (await account.json()) as { quota: { usedBytes: number } }
    expect(quota.usedBytes).to.equal((await statsOf(user)).storedBytes)
  })

  it('records snapshot-created and snapshot-deleted in the audit trail', async () => {
    const listed = (await (await user.call('GET', '/api/v1/snapshots')).json()) as {
      items: Array<{ snapshotId: string }>
    }
    listed.items.forEach((item) => sent.add(item.snapshotId))
    const forget = await user.call('DELETE', `/api/v1/snapshots/${listed.items[0]!.snapshotId}`)
    expect(forget.status).to.equal(204)
    const audit = (await (await user.call('GET', '/api/v1/audit?limit=200')).json()) as {
      items: Array<{ type: string; deviceId: string | null }>
    }
    const types = audit.items.map((e) => e.type)
    expect(types.filter((t) => t === 'snapshot-created')).to.have.length(2)
    expect(types).to.include('snapshot-deleted')
    expect(audit.items.find((e) => e.type === 'snapshot-created')?.deviceId).to.equal(user.deviceId)
  })

  it('logs no id, metadata or signature that was sent (access lines carry route templates only)', () => {
    const lines = server.logLines()
    expect(lines.length).to.be.greaterThan(10)
    const joined = lines.join('\n')
    for (const value of sent) expect(joined, 'a log line names something sent').not.to.include(value)
    expect(joined).not.to.match(/[0-9a-f]{64}/)
  })
})
