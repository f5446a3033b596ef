/**
 * Project policies and housekeeping (`/projects/{project}/policy`,
 * `…/immutability`, `…/retention`, `…/webhooks`), scans and their results
 * (`/repositories/{repository}/artifacts/{digest}/scan|report|sbom`), the
 * audit log (`/audit`, `/audit/export`) and garbage collection
 * (`/system/gc`). Project settings belong to project admins (maintainers
 * may change the scan policy), the audit log to system admins (project
 * admins see their project's events), garbage collection to system admins.
 */
import { PassThrough } from 'node:stream';
import type { AccessControl } from '../access/index.js';
import type { AuditLog, AuditQuery } from '../audit/index.js';
import type { Caller, RegistryAuthorizer } from '../http/index.js';
import type { Retention } from '../retention/index.js';
import { SBOM_ARTIFACT_TYPE, type ScanService } from '../scanning/index.js';
import type { StateStore } from '../state/index.js';
import type { BlobStore } from '../storage/index.js';
import { MAX_MANIFEST_BYTES, parseManifest } from '../spec/index.js';
import type { Webhooks } from '../webhooks/index.js';
import {
  ApiError,
  type ApiRoute,
  badRequest,
  forbidden,
  type JsonSchema,
  notFound,
  pageOf,
  requireRepositoryAction,
  S,
  signedIn,
  str,
} from './route.js';

export interface AdminServices {
  readonly access: AccessControl;
  readonly state: StateStore;
  readonly storage: BlobStore;
  readonly audit: AuditLog;
  readonly webhooks: Webhooks;
  readonly retention: Retention;
  readonly scanning?: ScanService;
}

/** Runs retention and garbage collection (joins a run under way). */
export interface Housekeeping {
  run(options: { readonly dryRun: boolean }): Promise<unknown>;
}

type Role = 'admin' | 'maintainer' | 'developer' | 'guest';

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The caller's standing in a project: system admin, a role, or nothing (then the project is hidden: 404). */
async function standing(s: AdminServices, caller: Caller, project: string): Promise<'system' | Role> {
  signedIn(caller);
  if (await s.access.isAdmin(caller)) {
    if (!(await s.access.projects.get(project))) throw notFound(`project ${project}`);
    return 'system';
  }
  const role = await s.access.roleOf(caller, project);
  if (!role) throw notFound(`project ${project}`);
  return role;
}

async function requireRole(
  s: AdminServices,
  caller: Caller,
  project: string,
  allowed: readonly Role[],
): Promise<void> {
  const st = await standing(s, caller, project);
  if (st !== 'system' && !allowed.includes(st)) {
    throw forbidden(`this needs the ${allowed.join(' or ')} role in project ${project}`);
  }
}

const POLICY = {
  type: 'object',
  properties: {
    project: S.string,
    blockSeverity: { type: 'string', enum: ['critical', 'high', 'medium', 'low'] },
    blockUnscanned: S.bool,
  },
} as const;
const IMMUTABILITY = {
  type: 'object',
  properties: { id: { type: 'integer' }, project: S.string, repository: S.string, tag: S.string },
} as const;
const RETENTION = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    project: S.string,
    repository: S.string,
    tag: S.string,
    keep: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mostRecent: { type: 'integer', minimum: 0, maximum: 100000 },
        pushedWithinDays: { type: 'integer', minimum: 0, maximum: 36500 },
      },
    },
    untagged: { type: 'string', enum: ['delete', 'keep'] },
  },
} as const;
const WEBHOOK = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    project: S.string,
    url: S.string,
    events: { type: 'array', items: S.string },
    enabled: S.bool,
    secret: S.string,
  },
} as const;
const AUDIT_EVENT = { type: 'object' } as const;
const AUDIT_QUERY = {
  since: S.time,
  until: S.time,
  actor: S.name,
  action: S.name,
  repository: S.string,
  project: S.name,
  result: { type: 'string', enum: ['success', 'denied', 'failure'] },
} as const;

function auditFilter(q: Readonly<Record<string, unknown>>): AuditQuery {
  const time = (v: unknown, what: string): number | undefined => {
    if (typeof v !== 'string') return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw badRequest(`${what} must be a date-time`);
    return t;
  };
  const since = time(q.since, 'since');
  const until = time(q.until, 'until');
  return {
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(typeof q.actor === 'string' ? { actor: q.actor } : {}),
    ...(typeof q.action === 'string' ? { action: q.action } : {}),
    ...(typeof q.repository === 'string' ? { repository: q.repository } : {}),
    ...(typeof q.project === 'string' ? { project: q.project } : {}),
    ...(q.result === 'success' || q.result === 'denied' || q.result === 'failure'
      ? { result: q.result }
      : {}),
  };
}

/** System admins see everything; a project admin only a project they administer, which they must name. */
async function auditScope(s: AdminServices, caller: Caller, filter: AuditQuery): Promise<AuditQuery> {
  signedIn(caller);
  if (await s.access.isAdmin(caller)) return filter;
  if (filter.project === undefined)
    throw forbidden('name a project you administer (?project=), or sign in as a system admin');
  await requireRole(s, caller, filter.project, ['admin']);
  return filter;
}

/** What list/add/remove routes of one kind of per-project rule need. */
interface RuleKind {
  /** Path segment under `/projects/{project}/`. */
  readonly path: string;
  /** For operation ids: `listImmutabilityRules`, `addImmutabilityRule`, `removeImmutabilityRule`. */
  readonly name: string;
  readonly what: string;
  readonly addSummary: string;
  readonly schema: JsonSchema;
  readonly body: JsonSchema;
  list(project: string): Promise<readonly { readonly id: number }[]>;
  add(project: string, body: unknown): Promise<unknown>;
  remove(id: number): Promise<boolean>;
}

/** GET (members), POST and DELETE (project admins) of one kind of per-project rule. */
function projectRules(s: AdminServices, k: RuleKind): ApiRoute[] {
  const project = { project: S.name };
  return [
    {
      method: 'GET',
      path: `/projects/{project}/${k.path}`,
      id: `list${k.name}s`,
      summary: k.what,
      tag: 'policies',
      access: 'project members',
      params: project,
      responses: { 200: pageOf(k.schema) },
      async handler({ caller, params }) {
        await standing(s, caller, str(params.project));
        return { status: 200, body: { items: await k.list(str(params.project)) } };
      },
    },
    {
      method: 'POST',
      path: `/projects/{project}/${k.path}`,
      id: `add${k.name}`,
      summary: k.addSummary,
      tag: 'policies',
      access: 'project admins',
      params: project,
      body: k.body,
      responses: { 201: k.schema },
      async handler({ caller, params, body }) {
        const name = str(params.project);
        await requireRole(s, caller, name, ['admin']);
        return { status: 201, body: await k.add(name, body) };
      },
    },
    {
      method: 'DELETE',
      path: `/projects/{project}/${k.path}/{id}`,
      id: `remove${k.name}`,
      summary: `Removes one of the project's ${k.path} rules`,
      tag: 'policies',
      access: 'project admins',
      params: { ...project, id: { type: 'integer', minimum: 1 } },
      responses: { 204: null },
      async handler({ caller, params }) {
        const name = str(params.project);
        await requireRole(s, caller, name, ['admin']);
        const id = Number(params.id);
        const rule = (await k.list(name)).find((r) => r.id === id);
        if (!rule || !(await k.remove(id))) throw notFound(`rule ${id}`);
        return { status: 204 };
      },
    },
  ];
}

export function adminRoutes(
  s: AdminServices,
  authorizer: RegistryAuthorizer,
  housekeeping: () => Housekeeping | undefined,
): ApiRoute[] {
  const project = { project: S.name };
  const artifact = { repository: S.string, digest: S.digest };
  const scanning = (): ScanService => {
    if (!s.scanning) throw new ApiError(409, 'SCANNING_OFF', 'scanning is turned off on this server');
    return s.scanning;
  };
  return [
    {
      method: 'GET',
      path: '/projects/{project}/policy',
      id: 'getScanPolicy',
      summary: "The project's pull gate: block images with findings at or above a severity, or unscanned",
      tag: 'policies',
      access: 'project members',
      params: project,
      responses: { 200: POLICY },
      async handler({ caller, params }) {
        await standing(s, caller, str(params.project));
        const p = await scanning().getPolicy(str(params.project));
        return { status: 200, body: p ?? { project: str(params.project), blockUnscanned: false } };
      },
    },
    {
      method: 'PUT',
      path: '/projects/{project}/policy',
      id: 'setScanPolicy',
      summary: "Sets the project's pull gate",
      tag: 'policies',
      access: 'project admins and maintainers',
      params: project,
      body: {
        type: 'object',
        required: ['blockUnscanned'],
        additionalProperties: false,
        properties: { blockSeverity: POLICY.properties.blockSeverity, blockUnscanned: S.bool },
      },
      responses: { 200: POLICY },
      async handler({ caller, params, body }) {
        const name = str(params.project);
        await requireRole(s, caller, name, ['admin', 'maintainer']);
        const b = body as { blockSeverity?: 'critical' | 'high' | 'medium' | 'low'; blockUnscanned: boolean };
        const policy = {
          project: name,
          blockUnscanned: b.blockUnscanned,
          ...(b.blockSeverity ? { blockSeverity: b.blockSeverity } : {}),
        };
        await scanning().setPolicy(policy);
        return { status: 200, body: policy };
      },
    },
    ...projectRules(s, {
      path: 'immutability',
      name: 'ImmutabilityRule',
      what: 'Tag immutability rules of a project',
      addSummary: 'Makes tags matching a glob immutable (they cannot be moved or deleted)',
      schema: IMMUTABILITY,
      body: {
        type: 'object',
        required: ['tag'],
        additionalProperties: false,
        properties: { repository: S.string, tag: S.string },
      },
      list: (project) => s.retention.listImmutabilityRules(project),
      add: (project, body) => {
        const b = body as { repository?: string; tag: string };
        return s.retention.addImmutabilityRule({
          project,
          tag: b.tag,
          ...(b.repository ? { repository: b.repository } : {}),
        });
      },
      remove: (id) => s.retention.removeImmutabilityRule(id),
    }),
    ...projectRules(s, {
      path: 'retention',
      name: 'RetentionRule',
      what: 'Retention rules of a project',
      addSummary:
        'Adds a retention rule: keep the most recent N tags and/or those pushed within D days; untagged manifests deleted or kept',
      schema: RETENTION,
      body: {
        type: 'object',
        required: ['keep'],
        additionalProperties: false,
        properties: {
          repository: S.string,
          tag: S.string,
          keep: RETENTION.properties.keep,
          untagged: RETENTION.properties.untagged,
        },
      },
      list: (project) => s.retention.listRetentionRules(project),
      add: (project, body) => {
        const b = body as {
          repository?: string;
          tag?: string;
          keep: { mostRecent?: number; pushedWithinDays?: number };
          untagged?: 'delete' | 'keep';
        };
        return s.retention.addRetentionRule({
          project,
          keep: b.keep,
          ...(b.repository ? { repository: b.repository } : {}),
          ...(b.tag ? { tag: b.tag } : {}),
          ...(b.untagged ? { untagged: b.untagged } : {}),
        });
      },
      remove: (id) => s.retention.removeRetentionRule(id),
    }),
    {
      method: 'GET',
      path: '/projects/{project}/webhooks',
      id: 'listWebhooks',
      summary: 'Webhook targets of a project (without their secrets)',
      tag: 'webhooks',
      access: 'project admins',
      params: project,
      responses: { 200: pageOf(WEBHOOK) },
      async handler({ caller, params }) {
        const name = str(params.project);
        await requireRole(s, caller, name, ['admin']);
        return { status: 200, body: { items: await s.webhooks.listTargets({ project: name }) } };
      },
    },
    {
      method: 'POST',
      path: '/projects/{project}/webhooks',
      id: 'addWebhook',
      summary: 'Adds a webhook target; the answer holds its HMAC secret, shown this once',
      tag: 'webhooks',
      access: 'project admins',
      params: project,
      body: {
        type: 'object',
        required: ['url', 'events'],
        additionalProperties: false,
        properties: {
          url: S.string,
          events: { type: 'array', minItems: 1, maxItems: 32, items: { type: 'string', maxLength: 64 } },
          secret: { type: 'string', minLength: 16, maxLength: 256 },
          enabled: S.bool,
        },
      },
      responses: { 201: WEBHOOK },
      async handler({ caller, params, body }) {
        const name = str(params.project);
        await requireRole(s, caller, name, ['admin']);
        const b = body as { url: string; events: string[]; secret?: string; enabled?: boolean };
        return { status: 201, body: await s.webhooks.createTarget({ project: name, ...b }) };
      },
    },
    {
      method: 'DELETE',
      path: '/projects/{project}/webhooks/{id}',
      id: 'removeWebhook',
      summary: 'Removes a webhook target',
      tag: 'webhooks',
      access: 'project admins',
      params: { ...project, id: { type: 'integer', minimum: 1 } },
      responses: { 204: null },
      async handler({ caller, params }) {
        const name = str(params.project);
        await requireRole(s, caller, name, ['admin']);
        const t = await s.webhooks.getTarget(Number(params.id));
        if (!t || t.project !== name || !(await s.webhooks.deleteTarget(t.id)))
          throw notFound(`webhook ${String(params.id)}`);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/projects/{project}/webhooks/{id}/deliveries',
      id: 'listWebhookDeliveries',
      summary: 'Recent deliveries of a webhook target with their status and attempts',
      tag: 'webhooks',
      access: 'project admins',
      params: { ...project, id: { type: 'integer', minimum: 1 } },
      responses: { 200: pageOf({ type: 'object' }) },
      async handler({ caller, params }) {
        const name = str(params.project);
        await requireRole(s, caller, name, ['admin']);
        const t = await s.webhooks.getTarget(Number(params.id));
        if (!t || t.project !== name) throw notFound(`webhook ${String(params.id)}`);
        return { status: 200, body: { items: await s.webhooks.deliveries({ target: t.id }) } };
      },
    },
    {
      method: 'POST',
      path: '/repositories/{repository}/artifacts/{digest}/scan',
      id: 'scanArtifact',
      summary: 'Queues a scan of an image (or of each image of an index)',
      tag: 'artifacts',
      access: 'push on the repository',
      params: artifact,
      responses: { 202: { type: 'object' } },
      async handler({ caller, params }) {
        const name = await requireRepositoryAction(authorizer, caller, str(params.repository), 'push');
        const r = await scanning().enqueue(name, str(params.digest), 'manual');
        return { status: 202, body: r };
      },
    },
    {
      method: 'GET',
      path: '/repositories/{repository}/artifacts/{digest}/report',
      id: 'getScanReport',
      summary: "The image's latest scan report (vulnerabilities, secrets, misconfigurations) as JSON",
      tag: 'artifacts',
      access: 'pull on the repository',
      params: artifact,
      responses: { 200: { type: 'object' } },
      async handler({ caller, params }) {
        const name = await requireRepositoryAction(authorizer, caller, str(params.repository), 'pull');
        const report = await scanning().report(name, str(params.digest));
        if (report === undefined) throw notFound(`scan report of ${str(params.digest)}`);
        return { status: 200, body: JSON.parse(report) as unknown };
      },
    },
    {
      method: 'GET',
      path: '/repositories/{repository}/artifacts/{digest}/sbom',
      id: 'getSbom',
      summary: "The image's CycloneDX SBOM, as stored by the last scan (an OCI referrer of the image)",
      tag: 'artifacts',
      access: 'pull on the repository',
      params: artifact,
      responses: { 200: { type: 'object' } },
      async handler({ caller, params }) {
        const name = await requireRepositoryAction(authorizer, caller, str(params.repository), 'pull');
        const digest = str(params.digest);
        const refs = await s.state.referrers(name, digest, { artifactType: SBOM_ARTIFACT_TYPE, n: 100 });
        // The newest SBOM referrer (a rescan replaces the previous one).
        const newest = [...refs.items].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
        if (!newest) throw notFound(`SBOM of ${digest}`);
        const bytes = await s.storage.read(newest.digest, MAX_MANIFEST_BYTES);
        if (!bytes) throw notFound(`SBOM of ${digest}`);
        const layer = parseManifest(bytes, newest.mediaType).layers?.[0];
        if (!layer) throw notFound(`SBOM of ${digest}`);
        const opened = await s.storage.open(layer.digest);
        if (!opened) throw notFound(`SBOM of ${digest}`);
        return { status: 200, stream: opened.stream, contentType: SBOM_ARTIFACT_TYPE };
      },
    },
    {
      method: 'GET',
      path: '/audit',
      id: 'queryAudit',
      summary: 'Audit events, newest first, filtered and paged (`next` → `after`)',
      tag: 'audit',
      access: 'system admins; project admins for their project',
      query: {
        ...AUDIT_QUERY,
        after: { type: 'integer', minimum: 0 },
        limit: S.limit,
        order: { type: 'string', enum: ['newest-first', 'oldest-first'] },
      },
      responses: {
        200: {
          type: 'object',
          properties: { events: { type: 'array', items: AUDIT_EVENT }, next: { type: 'integer' } },
        },
      },
      async handler({ caller, query }) {
        const filter = await auditScope(s, caller, auditFilter(query));
        const after = num(query.after);
        const limit = num(query.limit);
        const page = await s.audit.query({
          ...filter,
          ...(after !== undefined ? { afterId: after } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(query.order === 'oldest-first' || query.order === 'newest-first' ? { order: query.order } : {}),
        });
        return { status: 200, body: page };
      },
    },
    {
      method: 'GET',
      path: '/audit/export',
      id: 'exportAudit',
      summary: 'Streams the audit events, oldest first, as JSON lines or RFC 5424 syslog lines (for a SIEM)',
      tag: 'audit',
      access: 'system admins; project admins for their project',
      query: { ...AUDIT_QUERY, format: { type: 'string', enum: ['jsonl', 'syslog'] } },
      responses: { 200: null },
      async handler({ caller, query }) {
        const filter = await auditScope(s, caller, auditFilter(query));
        await s.audit.flush();
        const out = new PassThrough();
        const syslog = query.format === 'syslog';
        const done = syslog ? s.audit.exportSyslog(filter, out) : s.audit.exportJsonLines(filter, out);
        done.then(
          () => out.end(),
          (e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))),
        );
        return {
          status: 200,
          stream: out,
          contentType: syslog ? 'text/plain; charset=utf-8' : 'application/x-ndjson',
        };
      },
    },
    {
      method: 'POST',
      path: '/system/gc',
      id: 'runGarbageCollection',
      summary: 'Applies the retention rules, then collects garbage now (`dryRun` reports without deleting)',
      tag: 'system',
      access: 'system admins',
      query: { dryRun: S.bool },
      responses: { 200: { type: 'object' } },
      async handler({ caller, query }) {
        signedIn(caller);
        if (!(await s.access.isAdmin(caller)))
          throw forbidden('only system administrators may run garbage collection');
        const h = housekeeping();
        if (!h) throw new ApiError(503, 'UNAVAILABLE', 'housekeeping is not running');
        return { status: 200, body: await h.run({ dryRun: query.dryRun === true }) };
      },
    },
  ];
}
