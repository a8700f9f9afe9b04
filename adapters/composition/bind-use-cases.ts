/** Gathers the bound adapters into the application's Ports and wires every use case from them. */
import type { Container } from 'inversify'
import type { Ports } from '../../application/ports'
import { makeUseCases } from '../../application/zkeb'
import { id, TOKENS } from './tokens'

const portTokens = [
  id(TOKENS.AccountRepository),
  id(TOKENS.DeviceRepository),
  id(TOKENS.BackupRepository),
  id(TOKENS.AuditRepository),
  id(TOKENS.BlobStore),
  id(TOKENS.SessionStore),
  id(TOKENS.UnitOfWork),
  id(TOKENS.LoginStateStore),
  id(TOKENS.OpaqueServer),
  id(TOKENS.TokenIssuer),
  id(TOKENS.SignatureVerifier),
  id(TOKENS.Hasher),
  id(TOKENS.Clock),
  id(TOKENS.IdGenerator),
  id(TOKENS.ReadinessProbes),
  id(TOKENS.Settings),
  id(TOKENS.ResticTokenRepository),
  id(TOKENS.ResticObjectRepository),
  id(TOKENS.UploadSessionRepository),
] as const

export const bindUseCases = (c: Container): void => {
  c.bind(id(TOKENS.ReadinessProbes)).toResolvedValue(
    (persistence, stores) => [...persistence, ...stores],
    [id(TOKENS.PersistenceProbes), id(TOKENS.StoreProbes)],
  )
  c.bind(id(TOKENS.Ports)).toResolvedValue(
    (
      accounts,
      devices,
      backups,
      audit,
      blobs,
      sessions,
      unitOfWork,
      loginStates,
      opaque,
      tokens,
      signatures,
      hasher,
      clock,
      ids,
      probes,
      settings,
      resticTokens,
      resticObjects,
      uploads,
    ): Ports => ({
      accounts,
      devices,
      backups,
      audit,
      blobs,
      sessions,
      unitOfWork,
      loginStates,
      opaque,
      tokens,
      signatures,
      hasher,
      clock,
      ids,
      probes,
      settings,
      resticTokens,
      resticObjects,
      uploads,
    }),
    [...portTokens],
  )
  c.bind(id(TOKENS.UseCases)).toResolvedValue(makeUseCases, [id(TOKENS.Ports)])
}
