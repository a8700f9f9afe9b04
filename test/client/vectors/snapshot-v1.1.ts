/**
 * Computes the protocol v1.1 (snapshots) test vectors from fixed inputs. `snapshot-generate.ts` writes them to
 * snapshot-v1.1.json; the tests recompute them and compare byte for byte with the committed file, and check
 * them against independent code (node:crypto, a BigInt FastCDC), so a wire-format change cannot slip through.
 */
import * as E from 'fp-ts/Either'
import { asKey } from '../../../client/crypto'
import { asBufferSource } from '../../../client/crypto/bytes'
import {
  asRepositoryKey,
  buildPack,
  computeObjectId,
  cutWithHash,
  deriveKeyMaterial,
  encodeCreateSnapshotBody,
  encodeTree,
  encryptSnapshotMetadata,
  frameObject,
  gearTableValues,
  keyedGearTable,
  makeCdc,
  prepareKeys,
  publishedGearTable,
  sealObject,
  seriesIdOf,
  snapshotSigningBytes,
  SNAPSHOT_CHUNKER,
  sortedRefs,
  wrapRepositoryKey,
  type ChunkerParams,
  type ObjectId,
  type SnapshotId,
  type SnapshotMetadata,
  type Tree,
} from '../../../client/snapshot'
import { deterministicBytes, DETERMINISTIC_INPUT } from '../snapshot/deterministic'
import { counting, fixedRandom, fromHex, hex } from '../support'

export const snapshotInputs = {
  rk: counting(32, 0x50),
  bkk: counting(32, 0x60),
  wrapNonce: counting(12, 0x70),
  objectNonce: counting(12, 0x80),
  treeNonce: counting(12, 0x90),
  metadataNonce: counting(12, 0xa0),
  packId: counting(32, 0xb0),
  data: new TextEncoder().encode('hello, zkeb snapshots\n'),
  snapshotId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301' as SnapshotId,
  deviceId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  host: 'laptop.example',
  paths: ['/home/ada/Documents', '/home/ada/Bilder été'],
  /** RFC 8032 test 1 secret key. */
  ed25519Seed: fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
}
const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420'

const chunkVector = (table: ReturnType<typeof publishedGearTable>, p: ChunkerParams, length: number) => {
  const input = deterministicBytes(length)
  const cdc = makeCdc(table, p)
  const chunks: Array<{ length: number; hash: string }> = []
  for (let offset = 0; offset < input.length;) {
    const c = cutWithHash(cdc, input, offset, input.length)
    chunks.push({ length: c.length, hash: c.hash.toString() })
    offset += c.length
  }
  return { ...p, inputBytes: length, chunks }
}

const chunker = async (chunkerKey: Uint8Array) => {
  const published = publishedGearTable()
  const keyed = await keyedGearTable(chunkerKey)
  return {
    input: DETERMINISTIC_INPUT,
    publishedTable: {
      first: gearTableValues(published)
        .slice(0, 4)
        .map((v) => v.toString(16)),
    },
    keyedTable: {
      first: gearTableValues(keyed)
        .slice(0, 4)
        .map((v) => v.toString(16)),
    },
    fastcdcRsAllZeros: {
      minSize: 64,
      avgSize: 256,
      maxSize: 1024,
      inputBytes: 10240,
      zeros: true,
      lengths: Array(10).fill(1024),
      hash: '14169102344523991076',
    },
    published: [
      chunkVector(published, { minSize: 4096, avgSize: 16384, maxSize: 65535, normalization: 1 }, 300_000),
      chunkVector(published, { minSize: 8192, avgSize: 16384, maxSize: 32768, normalization: 3 }, 200_000),
      chunkVector(published, { minSize: 4096, avgSize: 16384, maxSize: 65535, normalization: 0 }, 200_000),
    ],
    keyedProtocol: chunkVector(keyed, SNAPSHOT_CHUNKER, 6 * 1024 * 1024),
  }
}

const treeOf = (dataId: ObjectId): Tree => [
  {
    name: new TextEncoder().encode('notes été.txt'),
    type: 'file',
    mode: 0o644,
    mtimeNs: 1_700_000_000_123_456_789n,
    ctimeNs: 1_700_000_001_000_000_000n,
    size: 22,
    inode: 1234567n,
    content: [dataId],
  },
  {
    name: Uint8Array.of(0x6e, 0xff),
    type: 'symlink',
    mode: 0o777,
    mtimeNs: 1_700_000_000_000_000_000n,
    ctimeNs: 1_700_000_000_000_000_000n,
    size: 0,
    inode: 42n,
    target: new TextEncoder().encode('../elsewhere'),
  },
  {
    name: new TextEncoder().encode('sub'),
    type: 'dir',
    mode: 0o755,
    mtimeNs: 1_600_000_000_000_000_000n,
    ctimeNs: 1_600_000_000_000_000_000n,
    size: 0,
    inode: 7n,
    subtree: dataId,
  },
]

const metadataOf = (tree: ObjectId): SnapshotMetadata => ({
  version: 1,
  tree,
  host: snapshotInputs.host,
  paths: snapshotInputs.paths,
  tags: ['daily'],
  time: '2026-12-07T10:00:00.000Z',
  parent: null,
  summary: {
    filesNew: 1,
    filesChanged: 0,
    filesUnchanged: 0,
    dirs: 1,
    symlinks: 1,
    skipped: 0,
    totalFiles: 1,
    totalBytes: 22,
    bytesRead: 22,
    bytesSent: 400,
    dataObjectsSent: 1,
    treeObjectsSent: 1,
    durationMs: 5,
  },
})

export const computeSnapshotVectors = async () => {
  const i = snapshotInputs
  const rk = asRepositoryKey(i.rk)
  const material = await deriveKeyMaterial(rk)
  const keys = await prepareKeys(rk)
  const dataId = await computeObjectId(keys, 'data', i.data)
  const dataObject = await sealObject(keys, 'data', dataId, i.data, { random: fixedRandom(i.objectNonce) })
  const tree = treeOf(dataId)
  const treeBytes = encodeTree(tree)
  const treeId = await computeObjectId(keys, 'tree', treeBytes)
  const treeObject = await sealObject(keys, 'tree', treeId, treeBytes, { random: fixedRandom(i.treeNonce) })
  const pack = buildPack(
    [
      { id: dataId, bytes: dataObject },
      { id: treeId, bytes: treeObject },
    ],
    fixedRandom(i.packId),
  )
  const seriesId = seriesIdOf(material.seriesKey, i.host, i.paths)
  const metadata = metadataOf(treeId)
  const encrypted = await encryptSnapshotMetadata(
    material.metadataKey,
    i.snapshotId,
    metadata,
    fixedRandom(i.metadataNonce),
  )
  if (E.isLeft(encrypted)) throw new Error('metadata')
  const refs = sortedRefs([treeId, dataId])
  const signingBytes = snapshotSigningBytes({
    snapshotId: i.snapshotId,
    seriesId,
    encryptedMetadata: encrypted.right,
    refs,
  })
  const pkcs8 = fromHex(PKCS8_ED25519_PREFIX + hex(i.ed25519Seed))
  const privateKey = await crypto.subtle.importKey('pkcs8', asBufferSource(pkcs8), 'Ed25519', true, ['sign'])
  const jwk = await crypto.subtle.exportKey('jwk', privateKey)
  const signature = new Uint8Array(
    await crypto.subtle.sign('Ed25519', privateKey, asBufferSource(signingBytes)),
  )
  const body = encodeCreateSnapshotBody({
    snapshotId: i.snapshotId,
    seriesId,
    deviceId: i.deviceId,
    encryptedMetadata: encrypted.right,
    signature,
    refs,
  })
  return {
    keys: {
      rk: hex(i.rk),
      bkk: hex(i.bkk),
      wrapNonce: hex(i.wrapNonce),
      wrappedSnapshotKey: hex(await wrapRepositoryKey(asKey<'Bkk'>(i.bkk), rk, fixedRandom(i.wrapNonce))),
      idKey: hex(material.idKey),
      objectKey: hex(material.objectKey),
      seriesKey: hex(material.seriesKey),
      metadataKey: hex(material.metadataKey),
      chunkerKey: hex(material.chunkerKey),
    },
    dataObject: {
      plaintext: hex(i.data),
      id: dataId,
      nonce: hex(i.objectNonce),
      framed: hex(frameObject(i.data, false)),
      object: hex(dataObject),
    },
    tree: {
      entries:
        'notes été.txt (file, 0644, content [dataObject.id]); 6eff (symlink → ../elsewhere); sub (dir, subtree = dataObject.id)',
      encoding: hex(treeBytes),
      id: treeId,
      nonce: hex(i.treeNonce),
      object: hex(treeObject),
    },
    pack: {
      packId: pack.packId,
      header: hex(pack.bytes.subarray(0, 9 + 2 * 36)),
      sha256: pack.sha256,
      entries: pack.entries,
    },
    series: { host: i.host, paths: i.paths, seriesId },
    metadata: {
      snapshotId: i.snapshotId,
      json: JSON.stringify(metadata),
      nonce: hex(i.metadataNonce),
      encryptedMetadata: hex(encrypted.right),
    },
    signing: {
      refs,
      string: new TextDecoder().decode(signingBytes),
      ed25519Seed: hex(i.ed25519Seed),
      ed25519PublicKey: Buffer.from(jwk.x!, 'base64url').toString('hex'),
      signature: hex(signature),
    },
    createBody: hex(body),
    chunker: await chunker(material.chunkerKey),
  }
}

export type SnapshotVectors = Awaited<ReturnType<typeof computeSnapshotVectors>>
