/** The decoded configuration's shape: every concern's part, one record. */
import type { BlobStoreConfig } from './config-blob-store'
import type { LimitConfig } from './config-limits'
import type { ObservabilityConfig } from './config-observability'
import type { PersistenceConfig } from './config-persistence'
import type { SecretConfig } from './config-secrets'
import type { ServerConfig } from './config-server'
import type { StoreConfig } from './config-stores'

export type Config = ServerConfig &
  PersistenceConfig &
  StoreConfig &
  SecretConfig &
  BlobStoreConfig &
  LimitConfig &
  Readonly<{ observability: ObservabilityConfig }>
