/** Repositories and artifacts (`/repositories/…`): what is stored, its tags and referrers. */
import { type RegistryAuthorizer, type RegistryHooks, visibleRepositories } from '../http/index.js';
import { projectOfRepository } from '../spec/index.js';
import type { ManifestRecord, StateStore } from '../state/index.js';
import { type ApiRoute, conflict, notFound, pageOf, requireRepositoryAction, S } from './route.js';

export interface RepositoryServices {
  readonly state: StateStore;
  readonly authorizer: RegistryAuthorizer;
  readonly hooks: RegistryHooks;
  /** The scan summary of an image, when scanning is on. */
  readonly scanSummary?: (repository: string, digest: string) => Promise<unknown>;
}

const REPOSITORY = {
  type: 'object',
  required: ['name', 'project'],
  properties: { name: S.string, project: S.string, createdAt: S.time },
} as const;

const ARTIFACT = {
  type: 'object',
  required: ['digest', 'mediaType', 'size', 'tags'],
  properties: {
    repository: S.string,
    digest: S.digest,
    mediaType: S.string,
    artifactType: S.string,
    size: { type: 'integer' },
    subject: S.digest,
    tags: { type: 'array', items: S.string },
    pushedAt: S.time,
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    scan: { type: 'object' },
    referrers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          digest: S.digest,
          mediaType: S.string,
          artifactType: S.string,
          size: { type: 'integer' },
        },
      },
    },
  },
} as const;

async function artifactOf(s: RepositoryServices, m: ManifestRecord, detail: boolean): Promise<unknown> {
  const tags = await s.state.tagsOf(m.repository, m.digest);
  const scan = s.scanSummary ? await s.scanSummary(m.repository, m.digest) : undefined;
  const base = {
    repository: m.repository,
    digest: m.digest,
    mediaType: m.mediaType,
    ...(m.artifactType !== undefined ? { artifactType: m.artifactType } : {}),
    size: m.size,
    ...(m.subjectDigest !== undefined ? { subject: m.subjectDigest } : {}),
    tags,
    pushedAt: m.createdAt.toISOString(),
    ...(m.annotations ? { annotations: m.annotations } : {}),
    ...(scan !== undefined ? { scan } : {}),
  };
  if (!detail) return base;
  const refs = await s.state.referrers(m.repository, m.digest, { n: 1000 });
  return {
    ...base,
    referrers: refs.items.map((r) => ({
      digest: r.digest,
      mediaType: r.mediaType,
      ...(r.artifactType !== undefined ? { artifactType: r.artifactType } : {}),
      size: r.size,
    })),
  };
}

export function repositoryRoutes(s: RepositoryServices): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/repositories',
      id: 'listRepositories',
      summary: 'Repositories the caller may see, optionally of one project',
      tag: 'repositories',
      access: 'anyone; lists only what the caller may pull',
      query: { project: S.name, n: S.limit, last: S.cursor },
      responses: { 200: pageOf(REPOSITORY) },
      async handler({ caller, query }) {
        const n = typeof query.n === 'number' ? query.n : 100;
        const {
          items: names,
          more,
          last,
        } = await visibleRepositories(s.state, s.authorizer, caller, {
          n,
          ...(typeof query.last === 'string' ? { last: query.last } : {}),
          ...(typeof query.project === 'string' ? { projects: [query.project] } : {}),
        });
        const items = names.map((name) => ({ name, project: projectOfRepository(name) }));
        return { status: 200, body: { items, ...(more && last !== undefined ? { next: last } : {}) } };
      },
    },
    {
      method: 'GET',
      path: '/repositories/{repository}/artifacts',
      id: 'listArtifacts',
      summary:
        'Images, indexes and artifacts of a repository (not their referrers), with tags and scan summary',
      tag: 'artifacts',
      access: 'pull on the repository',
      params: { repository: S.string },
      query: { n: S.limit, last: S.cursor },
      responses: { 200: pageOf(ARTIFACT) },
      async handler({ caller, params, query }) {
        const name = await requireRepositoryAction(s.authorizer, caller, params.repository ?? '', 'pull');
        const page = await s.state.listManifests(name, {
          n: typeof query.n === 'number' ? query.n : 100,
          ...(typeof query.last === 'string' ? { last: query.last } : {}),
          withoutSubject: true,
        });
        const items = [];
        for (const m of page.items) items.push(await artifactOf(s, m, false));
        const last = page.items[page.items.length - 1]?.digest;
        return { status: 200, body: { items, ...(page.more && last ? { next: last } : {}) } };
      },
    },
    {
      method: 'GET',
      path: '/repositories/{repository}/artifacts/{digest}',
      id: 'getArtifact',
      summary: 'One artifact with its tags, referrers (signatures, SBOMs, scan reports) and scan summary',
      tag: 'artifacts',
      access: 'pull on the repository',
      params: { repository: S.string, digest: S.digest },
      responses: { 200: ARTIFACT },
      async handler({ caller, params }) {
        const name = await requireRepositoryAction(s.authorizer, caller, params.repository ?? '', 'pull');
        const m = await s.state.getManifest(name, params.digest ?? '');
        if (!m) throw notFound(`artifact ${params.digest ?? ''} in ${name}`);
        return { status: 200, body: await artifactOf(s, m, true) };
      },
    },
    {
      method: 'DELETE',
      path: '/repositories/{repository}/artifacts/{digest}',
      id: 'deleteArtifact',
      summary: 'Deletes an artifact with its tags (refused while an index lists it or a tag is immutable)',
      tag: 'artifacts',
      access: 'delete on the repository',
      params: { repository: S.string, digest: S.digest },
      responses: { 204: null },
      async handler({ caller, remote, params }) {
        const name = await requireRepositoryAction(s.authorizer, caller, params.repository ?? '', 'delete');
        const digest = params.digest ?? '';
        if (s.hooks.checkTag) {
          for (const tag of await s.state.tagsOf(name, digest)) {
            await s.hooks.checkTag(caller, name, tag, digest, undefined);
          }
        }
        const result = await s.state.deleteManifest(name, digest);
        if (result.status === 'not-found') throw notFound(`artifact ${digest} in ${name}`);
        if (result.status === 'referenced') {
          throw conflict(`an index of ${name} lists ${digest}: ${result.parents.join(', ')}`);
        }
        s.hooks.event?.({
          type: 'delete',
          caller,
          remote,
          repository: name,
          reference: digest,
          what: 'manifest',
        });
        return { status: 204 };
      },
    },
  ];
}
