/** Request bodies read with a size limit. */

/** A request body read whole, or undefined once it passes `max` bytes (the caller answers 413). */
export async function readBoundedBody(raw: AsyncIterable<unknown>, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw) {
    const b = Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks, size);
}
