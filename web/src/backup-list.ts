/** Knows how the backup table is filtered and ordered (on decrypted names: the server cannot do it). */
import type { BackupView } from './sdk'

export type SortKey = 'date-desc' | 'date-asc' | 'name-asc' | 'name-desc' | 'size-desc' | 'size-asc'

export const sortLabels: Readonly<Record<SortKey, string>> = {
  'date-desc': 'Newest first',
  'date-asc': 'Oldest first',
  'name-asc': 'Name A–Z',
  'name-desc': 'Name Z–A',
  'size-desc': 'Largest first',
  'size-asc': 'Smallest first',
}

export const displayName = (b: BackupView): string => b.metadata?.name ?? '(name unreadable: older key)'
/** The plaintext size when the metadata opens, else the stored (padded) ciphertext size. */
export const displaySize = (b: BackupView): number => b.metadata?.size ?? b.sizeBytes

const comparators: Readonly<Record<SortKey, (a: BackupView, b: BackupView) => number>> = {
  'date-desc': (a, b) => b.createdAt.localeCompare(a.createdAt),
  'date-asc': (a, b) => a.createdAt.localeCompare(b.createdAt),
  'name-asc': (a, b) => displayName(a).localeCompare(displayName(b)),
  'name-desc': (a, b) => displayName(b).localeCompare(displayName(a)),
  'size-desc': (a, b) => displaySize(b) - displaySize(a),
  'size-asc': (a, b) => displaySize(a) - displaySize(b),
}

export const visibleBackups = (
  all: ReadonlyArray<BackupView>,
  search: string,
  sort: SortKey,
): ReadonlyArray<BackupView> => {
  const needle = search.trim().toLocaleLowerCase()
  return all
    .filter((b) => needle === '' || displayName(b).toLocaleLowerCase().includes(needle))
    .toSorted(comparators[sort])
}
