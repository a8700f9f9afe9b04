/** Loads an SDK result when a component mounts (and on `reload`), keeping the error as a message. */
import * as E from 'fp-ts/Either'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { messageOf } from './messages'
import type { SdkError } from './sdk'

export type Loaded<A> = Readonly<{ value: A | undefined; error: string | undefined; reload: () => void }>

export const useLoaded = <A>(
  load: () => Promise<E.Either<SdkError, A>>,
  deps: ReadonlyArray<unknown>,
): Loaded<A> => {
  const [value, setValue] = useState<A | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [round, setRound] = useState(0)
  const reload = useCallback(() => setRound((r) => r + 1), [])
  useEffect(() => {
    let live = true
    void load().then((result) => {
      if (!live) return
      if (E.isRight(result)) {
        setValue(result.right)
        setError(undefined)
      } else setError(messageOf(result.left))
    })
    return () => {
      live = false
    }
  }, [...deps, round])
  return { value, error, reload }
}
