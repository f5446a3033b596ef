import {
  RegistryError,
  catalogBody,
  filtersAppliedHeader,
  nextLink,
  parseArtifactTypeFilter,
  parseDigest,
  parsePageQuery,
  referrersIndex,
  tagListBody,
  MediaTypes,
} from '../spec/index.js';
import type { Descriptor } from '../spec/index.js';
import type { ManifestRecord, StateStore } from '../state/index.js';
import type { Caller, RegistryAuthorizer } from './auth.js';
import { v2Path } from './context.js';
import type { RegistryContext, RegistryRequest, Reply } from './context.js';

/** Page size when a listing request has no `n`, and the largest page served. */
export const PAGE_LIMIT = 1000;

const PAGE = { defaultLimit: PAGE_LIMIT, maxLimit: PAGE_LIMIT } as const;

function linkHeader(
  path: string,
  items: readonly string[],
  more: boolean,
  n: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  const last = items[items.length - 1];
  return more && last !== undefined && n > 0 ? { link: nextLink(path, { n, last }, extra) } : {};
}

/** `GET /v2/<name>/tags/list?n=&last=`. */
export async function listTags(ctx: RegistryContext, req: RegistryRequest, name: string): Promise<Reply> {
  const page = parsePageQuery(req.query, PAGE);
  const n = page.limit ?? PAGE_LIMIT;
  const result = await ctx.state.listTags(name, {
    n,
    ...(page.last !== undefined ? { last: page.last } : {}),
  });
  if (!result) throw new RegistryError('NAME_UNKNOWN', undefined, { detail: { name } });
  return {
    status: 200,
    headers: linkHeader(v2Path(name, 'tags', 'list'), result.items, result.more, n),
    json: tagListBody(name, result.items),
  };
}

/** Store pages one listing reads at most while filtering by visibility. */
const CATALOG_SCAN_PAGES = 20;

/**
 * Up to `n` repository names after `last` that the caller may see, reading
 * the store page by page and asking the authoriser about each name. After
 * `CATALOG_SCAN_PAGES` pages the answer may hold fewer than `n` names;
 * `more` and `last` (the last name read) say where to continue.
 */
export async function visibleRepositories(
  state: StateStore,
  authorizer: RegistryAuthorizer,
  caller: Caller,
  options: { readonly n: number; readonly last?: string; readonly projects?: readonly string[] },
): Promise<{ items: string[]; more: boolean; last?: string }> {
  const { n } = options;
  const items: string[] = [];
  let last = options.last;
  let more = true;
  for (let pages = 0; more && items.length < n && pages < CATALOG_SCAN_PAGES; pages++) {
    const result = await state.listRepositories({
      n,
      ...(last !== undefined ? { last } : {}),
      ...(options.projects ? { projects: options.projects } : {}),
    });
    more = result.more;
    for (const name of result.items) {
      last = name;
      if (await authorizer.canList(caller, name)) {
        items.push(name);
        if (items.length === n) {
          more = more || name !== result.items[result.items.length - 1];
          break;
        }
      }
    }
  }
  return { items, more, ...(last !== undefined ? { last } : {}) };
}

/**
 * `GET /v2/_catalog?n=&last=`: with access control, only the repositories
 * the caller may see. Filtering reads the store page by page; after
 * `CATALOG_SCAN_PAGES` pages the reply may be shorter than `n`, with a
 * `Link` to continue from the last name read (the spec allows short pages).
 */
export async function listCatalog(ctx: RegistryContext, req: RegistryRequest): Promise<Reply> {
  const page = parsePageQuery(req.query, PAGE);
  const n = page.limit ?? PAGE_LIMIT;
  const { authorizer } = ctx;
  if (!authorizer) {
    const result = await ctx.state.listRepositories({
      n,
      ...(page.last !== undefined ? { last: page.last } : {}),
    });
    return {
      status: 200,
      headers: linkHeader('/v2/_catalog', result.items, result.more, n),
      json: catalogBody(result.items),
    };
  }
  const { items, more, last } = await visibleRepositories(ctx.state, authorizer, req.caller, {
    n,
    ...(page.last !== undefined ? { last: page.last } : {}),
  });
  const headers: Record<string, string> =
    more && last !== undefined && n > 0 ? { link: nextLink('/v2/_catalog', { n, last }, {}) } : {};
  return { status: 200, headers, json: catalogBody(items) };
}

/** A referrer as the referrers API lists it: its descriptor with artifact type and annotations. */
export function referrerDescriptor(r: ManifestRecord): Descriptor {
  return {
    mediaType: r.mediaType,
    digest: r.digest,
    size: r.size,
    ...(r.artifactType !== undefined ? { artifactType: r.artifactType } : {}),
    ...(r.annotations && Object.keys(r.annotations).length > 0 ? { annotations: { ...r.annotations } } : {}),
  };
}

/** `GET /v2/<name>/referrers/<digest>?artifactType=`: an image index of the manifests whose subject is `digest`. */
export async function listReferrers(
  ctx: RegistryContext,
  req: RegistryRequest,
  name: string,
  rawDigest: string,
): Promise<Reply> {
  const subject = parseDigest(rawDigest).digest;
  const artifactType = parseArtifactTypeFilter(req.query);
  const page = parsePageQuery(req.query, PAGE);
  const n = page.limit ?? PAGE_LIMIT;
  const result = await ctx.state.referrers(name, subject, {
    n,
    ...(page.last !== undefined ? { last: page.last } : {}),
    ...(artifactType !== undefined ? { artifactType } : {}),
  });
  const manifests = result.items.map(referrerDescriptor);
  const applied = filtersAppliedHeader(artifactType !== undefined ? ['artifactType'] : []);
  return {
    status: 200,
    headers: {
      'content-type': MediaTypes.ociIndex,
      ...(applied !== undefined ? { 'oci-filters-applied': applied } : {}),
      ...linkHeader(
        v2Path(name, 'referrers', subject),
        result.items.map((r) => r.digest),
        result.more,
        n,
        artifactType !== undefined ? { artifactType } : {},
      ),
    },
    json: referrersIndex(manifests),
  };
}
