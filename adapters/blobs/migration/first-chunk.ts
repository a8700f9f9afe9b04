/** Knows how to start reading a blob before committing to it: a blob that cannot be read fails its first pull. */

export type Opened = Readonly<{ rest: AsyncIterator<Uint8Array>; head: IteratorResult<Uint8Array> }>

/** Pulls the first chunk: an absent or unreadable blob fails here, before anything is passed on. */
export const opened = async (chunks: AsyncIterable<Uint8Array>): Promise<Opened> => {
  const rest = chunks[Symbol.asyncIterator]()
  return { rest, head: await rest.next() }
}

/** Every chunk of an opened blob, the first included; stopping early releases the source. */
export async function* drain({ rest, head }: Opened): AsyncGenerator<Uint8Array> {
  try {
    for (let next = head; next.done !== true; next = await rest.next()) yield next.value
  } finally {
    await rest.return?.()
  }
}
