/**
 * Knows how to read the Prometheus text format GET /metrics serves, and how to estimate a quantile from a
 * histogram's buckets the way PromQL's histogram_quantile does (linear within the bucket).
 */

export type Sample = Readonly<{ name: string; labels: Readonly<Record<string, string>>; value: number }>

const sampleLine = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/
const labelPair = /(\w+)="((?:[^"\\]|\\.)*)"/g

export const parsePrometheusText = (text: string): ReadonlyArray<Sample> =>
  text.split('\n').flatMap((line) => {
    const match = sampleLine.exec(line)
    if (line.startsWith('#') || match === null) return []
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(labelPair))
      if (key !== undefined && value !== undefined) labels[key] = value
    return [{ name: match[1] ?? '', labels, value: Number(match[3]) }]
  })

const matches = (sample: Sample, name: string, labels: Readonly<Record<string, string>>): boolean =>
  sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v)

/** The sum of every sample of `name` whose labels include `labels`. */
export const total = (
  samples: ReadonlyArray<Sample>,
  name: string,
  labels: Record<string, string> = {},
): number => samples.filter((s) => matches(s, name, labels)).reduce((sum, s) => sum + s.value, 0)

/** The `q` quantile of histogram `name` (buckets summed across series matching `labels`); NaN when empty. */
export const histogramQuantile = (
  q: number,
  samples: ReadonlyArray<Sample>,
  name: string,
  labels: Record<string, string> = {},
): number => {
  const byBound = new Map<number, number>()
  for (const s of samples.filter((x) => matches(x, `${name}_bucket`, labels))) {
    const bound = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le'])
    byBound.set(bound, (byBound.get(bound) ?? 0) + s.value)
  }
  const buckets = [...byBound].sort(([a], [b]) => a - b)
  const count = buckets[buckets.length - 1]?.[1] ?? 0
  if (count === 0) return NaN
  const rank = q * count
  let [lowerBound, lowerCount] = [0, 0]
  for (const [bound, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (bound === Infinity) return lowerBound
      return (
        lowerBound + (bound - lowerBound) * ((rank - lowerCount) / Math.max(cumulative - lowerCount, 1e-12))
      )
    }
    ;[lowerBound, lowerCount] = [bound, cumulative]
  }
  return lowerBound
}
