/**
 * Fault: one account opens ten streams and stops (readers that never read a byte of a large download or restic
 * data GET; writers that stop sending their body), on a server whose database pool has only 4 connections.
 * Expected: a stream that waits on its peer holds no database connection, so another account's list,
 * metadata and upload requests all succeed, about as fast as without the paused peers, and /api/health stays
 * 200. Both blob stores (fs, postgres). PAUSED_PEERS_HOLD_MS sets how long the peers hold on (default 15 s).
 */
import { expect } from 'chai'
import { aBystander, type Workload } from './bystander'
import {
  anAttacker,
  type BlobStoreKind,
  type Peer,
  pausedReaders,
  pausedWriters,
  type RunningServer,
  serverFarm,
} from './paused-peers-kit'

const holdMs = Number(process.env['PAUSED_PEERS_HOLD_MS'] ?? 15_000)
const idleMs = 5_000
/** Larger than the loopback socket buffers on both sides, so a reader that never reads stalls the server. */
const bigBytes = 24 * 1024 * 1024

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const summary = (label: string, idle: Workload, busy: Workload): string =>
  `${label}: ${busy.samples.length} calls, ${busy.errors.length} errors, p99 idle ${idle.p99.toFixed(1)} ms, ` +
  `paused ${busy.p99.toFixed(1)} ms, ratio ${(busy.p99 / idle.p99).toFixed(2)}, health ` +
  `${busy.health.filter((s) => s === 200).length}/${busy.health.length} 200`

/** Measures the bystander idle, then while `open` holds its peers; the peers are closed afterwards. */
const measure = async (
  server: RunningServer,
  label: string,
  open: (server: RunningServer) => Promise<Peer[]>,
): Promise<void> => {
  const bystander = await aBystander(server)
  const idle = await bystander.run(idleMs)
  const peers = await open(server)
  await pause(1000)
  const busy = await bystander.run(holdMs)
  for (const peer of peers) peer.close()
  console.log(`      ${summary(label, idle, busy)}`)
  expect(busy.errors.slice(0, 3), 'failed bystander calls').to.deep.equal([])
  expect(
    busy.health.filter((s) => s !== 200),
    '/api/health answers',
  ).to.deep.equal([])
  // Within 2× of the idle run, with room for a machine shared with other work.
  expect(busy.p99, 'p99 while paused peers hold on (ms)').to.be.at.most(2 * idle.p99 + 250)
}

const suite = (store: BlobStoreKind) =>
  describe(`Fault: paused peers hold no database connection (BLOB_STORE=${store})`, function () {
    this.timeout(holdMs * 2 + 120_000)
    const farm = serverFarm()
    after(() => farm.cleanUp())
    // The peers must outlive the hold: the stall timeout (its own test) would end them otherwise.
    const env = { ACCOUNT_STREAMS_MAX: '64', STALLED_STREAM_TIMEOUT_MS: String(holdMs + 60_000) }

    it('ten readers that never read: other accounts are served, health stays 200', async () => {
      const server = await farm.start(store, env)
      const attacker = await anAttacker(server, bigBytes)
      await measure(server, `${store} readers`, (s) => pausedReaders(s, attacker))
    })

    it('ten writers that stop sending: other accounts are served, health stays 200', async () => {
      const server = await farm.start(store, env)
      const attacker = await anAttacker(server, 1024)
      await measure(server, `${store} writers`, (s) => pausedWriters(s, attacker, bigBytes))
    })
  })

suite('fs')
suite('postgres')
