/**
 * Helpers for the snapshot engine tests: a repository over a store, a device signer, a generated tree with
 * every kind of entry and name, and a byte-exact comparison of two folders.
 */
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { asKey, generateDeviceKeyPair, type Bkk } from '../../../client/crypto'
import { asBufferSource } from '../../../client/crypto/bytes'
import { openRepository, type Repository, type SnapshotStore } from '../../../client/snapshot'
import { seededBytes } from './deterministic'

export const aBkk = asKey<'Bkk'>(new Uint8Array(32).fill(7)) as Bkk

export const repositoryOver = async (store: SnapshotStore, bkk: Bkk = aBkk): Promise<Repository> => {
  const repo = await openRepository(store, bkk)
  if (E.isLeft(repo)) throw new Error(repo.left._tag)
  return repo.right
}

export const aSigner = async () => {
  const pair = await generateDeviceKeyPair()
  return {
    deviceId: 'b3c0b1f5-0d55-4f6c-9d0c-9a0b7a0f4a11',
    publicKey: pair.publicKey,
    sign: async (bytes: Uint8Array) =>
      new Uint8Array(await globalThis.crypto.subtle.sign('Ed25519', pair.privateKey, asBufferSource(bytes))),
  }
}

export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), `zkeb-${prefix}-`))
export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true })

const bufPath = (dir: string, name: string | Buffer): Buffer =>
  Buffer.concat([Buffer.from(dir + '/'), Buffer.from(name)])

/**
 * A tree with nested and empty folders, symlinks (relative, absolute, dangling), an executable, unicode, space
 * and non-UTF-8 names, random files, files sharing 256 KiB blocks, a read-only folder, and one large file
 * (`big.bin`, `bigBytes` bytes) for edit tests. Mtimes are set with sub-second precision.
 */
export const generateTree = async (root: string, bigBytes = 6 * 1024 * 1024): Promise<void> => {
  const block = seededBytes(256 * 1024, 42)
  await mkdir(join(root, 'docs/deep/deeper/deepest'), { recursive: true })
  await mkdir(join(root, 'empty folder'))
  await mkdir(join(root, 'docs/also empty'))
  await writeFile(join(root, 'docs/readme.txt'), 'hello\n')
  await writeFile(join(root, 'docs/deep/deeper/deepest/leaf.bin'), seededBytes(70_000, 1))
  await writeFile(join(root, 'docs/empty.txt'), '')
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n')
  await chmod(join(root, 'run.sh'), 0o755)
  await writeFile(join(root, 'héllo wörld ✓.txt'), 'unicode\n')
  await writeFile(join(root, 'with space.md'), 'space\n')
  await writeFile(
    bufPath(root, Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e])),
    seededBytes(3000, 2),
  )
  await writeFile(join(root, 'dup-a.bin'), Buffer.concat([block, seededBytes(100_000, 3), block, block]))
  await writeFile(join(root, 'dup-b.bin'), Buffer.concat([seededBytes(50_000, 4), block, block]))
  await writeFile(join(root, 'big.bin'), seededBytes(bigBytes, 5))
  await symlink('docs/readme.txt', join(root, 'link-relative'))
  await symlink('/nonexistent/target', join(root, 'link-dangling'))
  await symlink('docs', join(root, 'link-to-dir'))
  await mkdir(join(root, 'locked'))
  await writeFile(join(root, 'locked/inside.txt'), 'in a read-only folder\n')
  await writeFile(join(root, 'private.key'), 'secret\n')
  await chmod(join(root, 'private.key'), 0o600)
  await utimes(join(root, 'docs/readme.txt'), 1_600_000_000.123456, 1_600_000_000.123456)
  await chmod(join(root, 'locked'), 0o555)
}

type Seen = Readonly<{ type: string; mode: number; mtimeUs: bigint; size: bigint; content?: string }>

/** Every entry below `root` by raw relative path (folder mtimes included, root's own excluded). */
export const snapshotOfFolder = async (root: string): Promise<Map<string, Seen>> => {
  const out = new Map<string, Seen>()
  const walk = async (dir: Buffer, rel: string) => {
    for (const name of await readdir(dir, { encoding: 'buffer' })) {
      const path = Buffer.concat([dir, Buffer.from('/'), name])
      const key = rel + '/' + name.toString('hex')
      const st = await lstat(path, { bigint: true })
      const common = {
        mode: Number(st.mode & 0o7777n),
        mtimeUs: st.mtimeNs / 1000n,
        size: st.isFile() ? st.size : 0n,
      }
      if (st.isDirectory()) {
        out.set(key, { type: 'dir', ...common })
        await walk(path, key)
      } else if (st.isSymbolicLink())
        out.set(key, {
          type: 'symlink',
          ...common,
          content: (await readlink(path, { encoding: 'buffer' })).toString('hex'),
        })
      else out.set(key, { type: 'file', ...common, content: (await readFile(path)).toString('base64') })
    }
  }
  await walk(Buffer.from(root), '')
  return out
}

export const expectSameFolder = async (actual: string, expected: string): Promise<void> => {
  const [a, b] = [await snapshotOfFolder(actual), await snapshotOfFolder(expected)]
  expect([...a.keys()].sort()).to.deep.equal([...b.keys()].sort())
  for (const [key, e] of b) expect(a.get(key), key).to.deep.equal(e)
}
