/** Choose or drop files; each gets a progress bar with rate, time left and a cancel button. */
import { useRef, useState } from 'preact/hooks'
import { formatBytes, formatDuration, formatRate } from './format'
import type { Session } from './sdk'
import { runUpload, type Upload, type UploadJob } from './uploads'

type Props = Readonly<{ session: Session; onUploaded: () => void }>

const stateLabel: Readonly<Record<Upload['state'], string>> = {
  queued: 'Waiting',
  encrypting: 'Encrypting',
  uploading: 'Uploading',
  done: 'Stored',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

export const UploadPanel = ({ session, onUploaded }: Props) => {
  const [uploads, setUploads] = useState<ReadonlyArray<Upload>>([])
  const [dragging, setDragging] = useState(false)
  const queue = useRef<UploadJob[]>([])
  const controllers = useRef(new Map<number, AbortController>())
  const running = useRef(false)
  const nextId = useRef(1)

  const report = (id: number, change: Partial<Upload>) =>
    setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...change } : u)))

  const drain = async () => {
    if (running.current) return
    running.current = true
    for (let job = queue.current.shift(); job !== undefined; job = queue.current.shift()) {
      await runUpload(session, job, report)
      onUploaded()
    }
    running.current = false
  }

  const add = (files: FileList | null) => {
    if (files === null || files.length === 0) return
    const added = [...files].map((file): Upload => {
      const id = nextId.current++
      const controller = new AbortController()
      controllers.current.set(id, controller)
      queue.current.push({ id, file, controller })
      return {
        id,
        name: file.name,
        size: file.size,
        state: 'queued',
        fraction: 0,
        bytesPerSecond: 0,
        secondsLeft: NaN,
      }
    })
    setUploads((all) => [...added, ...all])
    void drain()
  }

  const cancel = (id: number) => {
    controllers.current.get(id)?.abort()
    report(id, { state: 'cancelled' })
  }

  return (
    <section aria-labelledby="upload-title" class="card">
      <h2 id="upload-title">Upload</h2>
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault()
          setDragging(false)
          add(e.dataTransfer?.files ?? null)
        }}
      >
        <p>Drop files here, or</p>
        <label for="file-input" class="button">
          Choose files
        </label>
        <input
          id="file-input"
          type="file"
          multiple
          class="visually-hidden"
          onChange={(e) => {
            add(e.currentTarget.files)
            e.currentTarget.value = ''
          }}
        />
        <p class="hint">
          Files are encrypted here before upload; the server never sees their names or contents.
        </p>
      </div>
      {uploads.length > 0 && (
        <ul class="uploads" aria-label="Uploads">
          {uploads.map((u) => (
            <li key={u.id} data-state={u.state}>
              <span class="name">{u.name}</span>
              <progress max={1} value={u.fraction} aria-label={`Progress of ${u.name}`} />
              <span class="detail" aria-live="polite">
                {stateLabel[u.state]}
                {(u.state === 'encrypting' || u.state === 'uploading') &&
                  ` · ${Math.round(u.fraction * 100)}% · ${formatRate(u.bytesPerSecond)} · ${formatDuration(u.secondsLeft)} left`}
                {u.state === 'done' && ` · ${formatBytes(u.size)}`}
                {u.error !== undefined && ` · ${u.error}`}
              </span>
              {(u.state === 'queued' || u.state === 'encrypting' || u.state === 'uploading') && (
                <button type="button" onClick={() => cancel(u.id)} aria-label={`Cancel upload of ${u.name}`}>
                  Cancel
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
