/**
 * Knows the transfer progress bar: one line on stderr, redrawn at most every 100 ms, with the percentage,
 * the rate and the time left. Only when stderr is a terminal (and not with --json), so pipes and logs stay clean.
 */
import type { OutputStream } from './io'

export type Progress = Readonly<{ update: (bytes: number, total: number) => void; done: () => void }>

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export const formatBytes = (n: number): string => {
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`
}

const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '--:--'
  const s = Math.round(seconds)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

const noProgress: Progress = { update: () => undefined, done: () => undefined }

/** A bar labelled `label`; a no-op unless `stream` is a TTY and `enabled`. `now` is injectable for tests. */
export const createProgress = (
  stream: OutputStream,
  label: string,
  enabled: boolean,
  now: () => number = () => performance.now(),
): Progress => {
  if (!enabled || stream.isTTY !== true) return noProgress
  const started = now()
  let lastDraw = -Infinity
  let drawn = false
  const draw = (bytes: number, total: number): void => {
    const elapsed = Math.max((now() - started) / 1000, 1e-3)
    const rate = bytes / elapsed
    const fraction = total > 0 ? Math.min(bytes / total, 1) : 1
    const width = 20
    const filled = Math.round(fraction * width)
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled)
    const eta = rate > 0 ? (total - bytes) / rate : Infinity
    const line = `${label} [${bar}] ${(fraction * 100).toFixed(0)}% ${formatBytes(bytes)}/${formatBytes(total)} ${formatBytes(Math.round(rate))}/s ETA ${formatDuration(eta)}`
    stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\x1b[K`)
    drawn = true
  }
  return {
    update: (bytes, total) => {
      const t = now()
      if (t - lastDraw < 100 && bytes < total) return
      lastDraw = t
      draw(bytes, total)
    },
    done: () => {
      if (drawn) stream.write('\n')
    },
  }
}
