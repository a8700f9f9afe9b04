/**
 * Pure figures: percentiles, ratios against a ceiling, and the table printed at the end of a run.
 * Kept free of I/O so test/bench can check them.
 */

/** The q-quantile (0..1) of `sorted` (ascending), nearest-rank: the smallest value with at least q·n at or below. */
export const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return NaN
  const rank = Math.max(1, Math.ceil(q * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]!
}

export type Latency = Readonly<{ p50: number; p95: number; p99: number; max: number }>

export const latencyOf = (samples: ReadonlyArray<number>): Latency => {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
  }
}

/** measured / ceiling, or null when there is no usable ceiling. */
export const ratio = (measured: number, ceiling: number | null | undefined): number | null =>
  ceiling === null || ceiling === undefined || !(ceiling > 0) || !Number.isFinite(measured)
    ? null
    : measured / ceiling

export const formatRatio = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(0)}%`)

export const formatNumber = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits)

export const formatBytes = (n: number | null | undefined): string =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '—'
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(0)} MiB`
      : `${(n / 1024).toFixed(0)} KiB`

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) =>
        /^[-\d.,%—<>≤≥ a-zA-Z/]*$/.test(c) && /^[-\d]/.test(c)
          ? c.padStart(widths[i]!)
          : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
