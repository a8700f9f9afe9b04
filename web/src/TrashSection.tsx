/** Backups moved to the trash, restorable until the server purges them. */
import * as E from 'fp-ts/Either'
import { useState } from 'preact/hooks'
import { displayName, displaySize } from './backup-list'
import { formatBytes, formatDate } from './format'
import { messageOf } from './messages'
import { listBackups, restoreBackup, type BackupView, type Session } from './sdk'
import { useLoaded } from './use-loaded'

export const TrashSection = ({ session }: Readonly<{ session: Session }>) => {
  const trash = useLoaded(() => listBackups(session, { trash: true }), [session])
  const [status, setStatus] = useState('')
  const [error, setError] = useState<string | undefined>()

  const restore = async (b: BackupView) => {
    const restored = await restoreBackup(session, b.backupId)
    if (E.isLeft(restored)) return setError(messageOf(restored.left))
    setStatus(`${displayName(b)} restored to your backups.`)
    trash.reload()
  }

  return (
    <>
      <h1>Trash</h1>
      <p role="status" class="status">
        {status}
      </p>
      {(error ?? trash.error) !== undefined && (
        <p class="error" role="alert">
          {error ?? trash.error}
        </p>
      )}
      {trash.value === undefined ? (
        <p>Loading…</p>
      ) : trash.value.length === 0 ? (
        <p>The trash is empty.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Size</th>
                <th scope="col">Moved to trash</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {trash.value.map((b) => (
                <tr key={b.backupId}>
                  <th scope="row">{displayName(b)}</th>
                  <td>{formatBytes(displaySize(b))}</td>
                  <td>{b.deletedAt === null ? '—' : formatDate(b.deletedAt)}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => void restore(b)}
                      aria-label={`Restore ${displayName(b)}`}
                    >
                      Restore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
