/** Knows how to draw identifiers and secrets from the operating system's CSPRNG. */
import { randomBytes, randomUUID } from 'node:crypto'
import type { IdGenerator } from '../../application/ports/id-generator'
import type { Uuid } from '../../domain/ids'

/** v4 UUIDs and 32-byte base64url secrets from node:crypto. */
export const nodeIdGenerator = (): IdGenerator => ({
  uuid: () => randomUUID() as Uuid,
  secret: () => randomBytes(32).toString('base64url'),
})
