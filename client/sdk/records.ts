/** Knows how the whole backup list is read: every page, following nextCursor to the end. */
import type { HttpClient } from './http-client'
import type { BackupRecord } from './wire'

/** Every record of the live list (or of the trash), following nextCursor to the end. */
export const allRecords = async (http: HttpClient, trash: boolean): Promise<ReadonlyArray<BackupRecord>> => {
  const records: BackupRecord[] = []
  let cursor: string | undefined
  do {
    const page = await http.listBackups({ limit: 200, trash, ...(cursor === undefined ? {} : { cursor }) })
    records.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return records
}
