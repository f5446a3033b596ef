/** The untagged manifests of a repository, streamed page by page from the state store. */
import type { StateStore } from '../state/index.js';

export interface UntaggedManifest {
  readonly digest: string;
  readonly subjectDigest?: string;
  readonly createdAt: number;
}

const PAGE = 500;

/** Untagged manifests of a repository, in binary order of digest, streamed. */
export async function* untaggedManifests(
  state: StateStore,
  repository: string,
): AsyncGenerator<UntaggedManifest> {
  let last: string | undefined;
  for (;;) {
    const page = await state.listManifests(repository, {
      untagged: true,
      n: PAGE,
      ...(last !== undefined ? { last } : {}),
    });
    for (const m of page.items) {
      yield {
        digest: m.digest,
        ...(m.subjectDigest !== undefined ? { subjectDigest: m.subjectDigest } : {}),
        createdAt: m.createdAt.getTime(),
      };
    }
    if (!page.more) return;
    last = page.items[page.items.length - 1]?.digest;
  }
}
