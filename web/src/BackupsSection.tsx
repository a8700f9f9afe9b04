/** The live backups: upload, search, sort, download (verified, then offered) and move to trash. */
import * as E from 'fp-ts/Either'
import { useState } from 'preact/hooks'
import { displayName, displaySize, sortLabels, visibleBackups, type SortKey } from './backup-list'
import { canStreamToDisk, fileNameOf, offerFile, pickSaveTarget, restoreToDisk, restoreToFile } from './files'
import { formatBytes, formatDate } from './format'
import { messageOf } from './messages'
import { Quota } from './Quota'
import { listBackups, trashBackup, type BackupView, type Session, type TransferProgress } from './sdk'
import { UploadPanel } from './UploadPanel'
import { useLoaded } from './use-loaded'

type Props = Readonly<{ session: Session }>

export const BackupsSection = ({ session }: Props) => {
  const [round, setRound] = useState(0)
  const backups = useLoaded(() => listBackups(session), [session, round])
  const [search, setSearch] = useState('')
  const [sort, setSort] = useState<SortKey>('date-desc')
  const [status, setStatus] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState<string | undefined>()
  const [toDisk, setToDisk] = useState(false)
  const refresh = () => setRound((r) => r + 1)

  const download = async (b: BackupView) => {
    // The picker first: it needs the click's user activation, which the next await would spend.
    const target = toDisk ? await pickSaveTarget(fileNameOf(b)).catch(() => undefined) : undefined
    if (toDisk && target === undefined) return
    setBusy(b.backupId)
    setError(undefined)
    const progress = (p: TransferProgress) =>
      setStatus(
        `Downloading and verifying ${displayName(b)}: ${Math.round((100 * p.bytes) / Math.max(p.total, 1))}%`,
      )
    setStatus(`Downloading and verifying ${displayName(b)}…`)
    const saved =
      target === undefined
        ? E.map((blob: Blob) => offerFile(blob, fileNameOf(b)))(await restoreToFile(session, b, progress))
        : await restoreToDisk(session, b, target, progress)
    setBusy(undefined)
    if (E.isLeft(saved)) {
      setStatus('')
      return setError(messageOf(saved.left))
    }
    setStatus(`${displayName(b)} verified and saved.`)
  }

  const toTrash = async (b: BackupView) => {
    const done = await trashBackup(session, b.backupId)
    if (E.isLeft(done)) return setError(messageOf(done.left))
    setStatus(`${displayName(b)} moved to the trash.`)
    refresh()
  }

  const shown = visibleBackups(backups.value ?? [], search, sort)
  return (
    <>
      <h1>Backups</h1>
      <Quota session={session} round={round} />
      <UploadPanel session={session} onUploaded={refresh} />
      <section aria-labelledby="list-title" class="card">
        <h2 id="list-title">Your files</h2>
        <div class="row filters">
          <label for="search">Search by name</label>
          <input id="search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
          <label for="sort">Sort</label>
          <select id="sort" value={sort} onChange={(e) => setSort(e.currentTarget.value as SortKey)}>
            {Object.entries(sortLabels).map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {canStreamToDisk() && (
          <label class="check">
            <input type="checkbox" checked={toDisk} onChange={(e) => setToDisk(e.currentTarget.checked)} />
            Save downloads straight to disk as they arrive (the file appears only once verified)
          </label>
        )}
        <p role="status" class="status">
          {status}
        </p>
        {(error ?? backups.error) !== undefined && (
          <p class="error" role="alert">
            {error ?? backups.error}
          </p>
        )}
        {backups.value === undefined ? (
          <p>Loading and decrypting the list…</p>
        ) : shown.length === 0 ? (
          <p>{backups.value.length === 0 ? 'No backups yet: upload a file above.' : 'No file matches.'}</p>
        ) : (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Size</th>
                  <th scope="col">Uploaded</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((b) => (
                  <tr key={b.backupId}>
                    <th scope="row">{displayName(b)}</th>
                    <td>{formatBytes(displaySize(b))}</td>
                    <td>{formatDate(b.createdAt)}</td>
                    <td class="actions">
                      <button
                        type="button"
                        disabled={busy !== undefined}
                        onClick={() => void download(b)}
                        aria-label={`Download ${displayName(b)}`}
                      >
                        Download
                      </button>
                      <button
                        type="button"
                        onClick={() => void toTrash(b)}
                        aria-label={`Move to trash: ${displayName(b)}`}
                      >
                        Move to trash
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}
