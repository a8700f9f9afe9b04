/**
 * A deterministic "mixed" data set for backup benchmarks, written into a folder: many small files (a tenth of
 * the bytes, 1–64 KiB each, in folders of 100) and a few large ones (up to 64 MiB), half of each kind
 * incompressible (a fixed AES-CTR key stream) and half compressible (log-like text), so a compressing,
 * deduplicating client such as restic does its real work. Same size, same bytes, every run.
 */
import { createCipheriv, type Cipher } from 'node:crypto'
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'

const KiB = 1024
const MiB = 1024 * KiB

/** Pseudo-random bytes from a fixed key: the same sequence every run, at memory speed. */
const keyStream = (seed: number): ((length: number) => Buffer) => {
  const key = Buffer.alloc(16)
  key.writeUInt32BE(seed)
  const cipher: Cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  return (length) => cipher.update(Buffer.alloc(length))
}

const words = (
  'alpha beta gamma delta backup restore snapshot chunk index tree blob pack key lock config data ' +
  'request response status ok error retry upload download account device session token quota'
).split(' ')

/** Log-like lines: words and numbers chosen by the key stream, so it compresses about 3–4× but not to nothing. */
const textOf = (random: (length: number) => Buffer, length: number): Buffer => {
  const choices = random(Math.ceil(length / 4))
  let text = ''
  for (let i = 0; text.length < length; i += 4) {
    const c = choices.readUInt32LE(i % (choices.length - 3))
    text += `${(c % 100000).toString().padStart(6, '0')} ${words[c % words.length]} ${words[(c >>> 8) % words.length]} id=${c >>> 12}\n`
  }
  return Buffer.from(text.slice(0, length), 'latin1')
}

const writeFile = (path: string, bytes: number, compressible: boolean, random: (n: number) => Buffer) => {
  const fd = openSync(path, 'w')
  try {
    for (let left = bytes; left > 0;) {
      const size = Math.min(left, 4 * MiB)
      writeSync(fd, compressible ? textOf(random, size) : random(size))
      left -= size
    }
  } finally {
    closeSync(fd)
  }
}

export type DataSet = Readonly<{ bytes: number; files: number }>

/** Writes about `totalBytes` (exactly, give or take the last small file) under `root`. */
export const writeMixedDataSet = (root: string, totalBytes: number): DataSet => {
  const random = keyStream(1)
  const sizes = keyStream(2)
  let files = 0
  let written = 0
  const smallBudget = Math.floor(totalBytes / 10)
  for (let small = 0; small < smallBudget; files++) {
    const dir = join(root, 'small', String(Math.floor(files / 100)).padStart(4, '0'))
    if (files % 100 === 0) mkdirSync(dir, { recursive: true })
    const size = Math.min(KiB + (sizes(4).readUInt32LE() % (63 * KiB)), smallBudget - small)
    writeFile(join(dir, `file-${files}.${files % 2 === 0 ? 'bin' : 'log'}`), size, files % 2 === 1, random)
    small += size
  }
  written += smallBudget
  mkdirSync(join(root, 'large'), { recursive: true })
  for (let i = 0; written < totalBytes; i++, files++) {
    const size = Math.min(64 * MiB, totalBytes - written)
    writeFile(join(root, 'large', `part-${i}.${i % 2 === 0 ? 'bin' : 'log'}`), size, i % 2 === 1, random)
    written += size
  }
  return { bytes: written, files }
}
