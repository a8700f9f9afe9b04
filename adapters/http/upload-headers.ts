/**
 * Knows how an upload's description arrives: the backup id in the path, everything else in ZKEB-* headers
 * (the body is the ciphertext stream). A bad or missing header is reported by its header name.
 */
import * as E from 'fp-ts/Either'
import { UploadBackupInput } from '../../application/backups'
import { decodeExact } from './decode'
import { type AppContext, pathParam } from './http-types'

/** The wire name of each input field; the path parameter keeps its own name. */
export const uploadHeaderNames: Readonly<Record<string, string>> = {
  backupId: 'backupId',
  deviceId: 'ZKEB-Device-Id',
  contentSha256: 'ZKEB-Content-SHA256',
  signature: 'ZKEB-Signature',
  wrappedKey: 'ZKEB-Wrapped-Key',
  encryptedMetadata: 'ZKEB-Metadata',
  parentId: 'ZKEB-Parent-Id',
  contentLength: 'Content-Length',
}

const header = (ctx: AppContext, name: string): string | undefined => {
  const value = ctx.get(name)
  return value === '' ? undefined : value
}

/** Right(input) or Left(header names / `backupId`) of every missing or malformed part. */
export const readUploadInput = (ctx: AppContext): E.Either<ReadonlyArray<string>, UploadBackupInput> => {
  const candidate = {
    backupId: pathParam(ctx, 'backupId'),
    deviceId: header(ctx, 'ZKEB-Device-Id'),
    contentSha256: header(ctx, 'ZKEB-Content-SHA256'),
    signature: header(ctx, 'ZKEB-Signature'),
    wrappedKey: header(ctx, 'ZKEB-Wrapped-Key'),
    encryptedMetadata: header(ctx, 'ZKEB-Metadata'),
    parentId: header(ctx, 'ZKEB-Parent-Id'),
    contentLength: ctx.request.length,
  }
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined))
  return E.mapLeft((paths: ReadonlyArray<string>) => paths.map((path) => uploadHeaderNames[path] ?? path))(
    decodeExact(UploadBackupInput, defined),
  )
}
