/**
 * The admission webhooks of `mamori server`: `POST /admission/validate`
 * (the policy's verdict) and `POST /admission/mutate` (tags pinned to
 * digests), decisions in the audit log. Image facts come from the registry
 * itself for its own images — the digest a tag points at, the stored scan
 * result (an unscanned image is queued for a scan at once), signatures and
 * their referrers straight from storage — and, for other registries a rule
 * allows by name, over the Distribution API with the server user's Docker
 * credentials. Facts are cached by digest; a finished scan drops its
 * digest's cached result.
 */
import { homedir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { blobStoreSignatureSource, type SignatureSource } from '../../admission/signature/index.js';
import {
  createImageResolver,
  type CachingImageResolver,
  type ImageAccess,
  type ScanFacts,
  scanFactsOf,
} from '../../admission/resolve/index.js';
import {
  createMutatingWebhookHandler,
  createWebhookHandler,
  type FailurePolicy,
  type WebhookOptions,
  type WebhookReply,
} from '../../admission/webhook/index.js';
import { MamoriError } from '../../core/index.js';
import { type Credentials, registryStores, resolveCredentials } from '../../image/registry/index.js';
import type { Policy } from '../../policy/index.js';
import { referrerDescriptor } from '../http/index.js';
import { referrersIndex } from '../spec/index.js';
import { RegistryImageStore, type ScanEvent } from '../scanning/index.js';
import { readBoundedBody } from './body.js';
import type { Services } from './services.js';

export interface AdmissionOptions {
  readonly policy: Policy;
  readonly budgetMs?: number;
  readonly failurePolicy?: FailurePolicy;
  /** Host names clusters use for this registry; their images are read from the registry itself. */
  readonly registryNames?: readonly string[];
  readonly cacheTtlMs?: number;
}

/** Largest AdmissionReview body read (the handler refuses more than 4 MiB with 413). */
const MAX_ADMISSION_BODY = 4 * 1024 * 1024 + 1;
const MAX_REFERRERS = 1000;

/** Signatures read from the registry's own storage, referrers from its index of subjects. */
function localSignatures(s: Services, repository: string): SignatureSource {
  const base = blobStoreSignatureSource(new RegistryImageStore(s.storage, s.state, repository));
  return {
    ...base,
    async listReferrers(digest, maxBytes) {
      const page = await s.state.referrers(repository, digest, { n: MAX_REFERRERS });
      const json = Buffer.from(JSON.stringify(referrersIndex(page.items.map(referrerDescriptor))));
      if (json.length > maxBytes) {
        throw new MamoriError('LIMIT_EXCEEDED', `referrers of ${digest} exceed ${maxBytes} bytes`);
      }
      return json;
    },
  };
}

async function localScan(s: Services, repository: string, digest: string): Promise<ScanFacts> {
  const scanning = s.scanning;
  const r = await scanning.result(repository, digest);
  if (r.status === 'unscanned') {
    // Scanned on demand: the answer is "queued" until the scan is done.
    const q = await scanning.enqueue(repository, digest, 'manual');
    return { status: q.queued.length > 0 ? 'queued' : 'unscanned' };
  }
  return scanFactsOf(r);
}

/** Registry hosts the policy names in `allowedRegistries` (the only other registries contacted). */
function namedRegistries(policy: Policy): Set<string> {
  const out = new Set<string>();
  for (const r of policy.rules) {
    for (const p of r.images?.allowedRegistries ?? []) {
      const host = p.split('/')[0] ?? '';
      if (host.includes('.') || host.includes(':') || host === 'localhost') out.add(host.toLowerCase());
    }
  }
  return out;
}

export interface AdmissionResolver {
  readonly resolver: CachingImageResolver;
  /** Scan events of the registry (a finished scan drops cached facts of its digest). */
  onScanEvent(e: ScanEvent): void;
}

/** The image resolver of the webhooks; `services` is read when a look-up happens. */
export function admissionResolver(
  opts: AdmissionOptions,
  localNames: () => readonly string[],
  services: () => Services,
): AdmissionResolver {
  // Other registries the policy names: clients made on first use, credentials
  // (the server user's Docker config) looked up once per registry, then.
  const remote = new Map<string, ImageAccess>();
  for (const host of namedRegistries(opts.policy)) {
    let credentials: Promise<Credentials | undefined> | undefined;
    remote.set(host, {
      store: registryStores(host, {
        credentials: () =>
          (credentials ??= resolveCredentials(host, { env: process.env, homeDir: homedir() }).catch(
            () => undefined,
          )),
        client: { retries: 1, connectTimeoutMs: 5000, readTimeoutMs: 10_000 },
      }),
    });
  }
  const local: ImageAccess = {
    store: (repository) => new RegistryImageStore(services().storage, services().state, repository),
    signatures: (repository) => localSignatures(services(), repository),
    scan: (repository, digest) => localScan(services(), repository, digest),
  };
  const resolver = createImageResolver({
    access: (registry) => (localNames().includes(registry.toLowerCase()) ? local : remote.get(registry)),
    ...(opts.cacheTtlMs !== undefined ? { ttlMs: opts.cacheTtlMs } : {}),
  });
  return {
    resolver,
    onScanEvent(e) {
      if (e.type === 'scan.completed') resolver.invalidate(e.digest);
    },
  };
}

/** Mounts both webhooks; decisions (never those of dry runs) go to the audit log. */
export function addAdmissionWebhooks(
  app: FastifyInstance,
  s: Services,
  opts: AdmissionOptions,
  resolver: CachingImageResolver,
): void {
  const options: WebhookOptions = {
    policy: opts.policy,
    resolveImage: resolver.resolve,
    ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}),
    ...(opts.failurePolicy !== undefined ? { failurePolicy: opts.failurePolicy } : {}),
    onDecision: (req, verdict, outcome) => {
      const user = req.userInfo.username;
      s.audit.record({
        ...(user !== undefined
          ? {
              actor: user.slice(0, 255),
              actorKind: user.startsWith('system:serviceaccount:') ? 'robot' : 'user',
            }
          : { actorKind: 'anonymous' }),
        action: 'admission',
        // namespace/Kind/name of the object under review
        resource: { reference: `${req.namespace || '-'}/${req.kind.kind}/${req.name ?? ''}`.slice(0, 512) },
        result:
          verdict?.allowed === true || outcome.startsWith('mutated')
            ? 'success'
            : outcome.startsWith('failed')
              ? 'failure'
              : 'denied',
        detail: verdict
          ? [...verdict.denials, ...verdict.warnings]
              .map((f) => `${f.rule}:${f.control}@${f.path}`)
              .join(' ') || outcome
          : outcome.slice(0, 2000),
      });
    },
  };
  const routes: ['validate' | 'mutate', (body: Buffer) => Promise<WebhookReply>][] = [
    ['validate', createWebhookHandler(options)],
    ['mutate', createMutatingWebhookHandler(options)],
  ];
  for (const [webhook, handle] of routes) {
    app.post(`/admission/${webhook}`, async (request, reply) => {
      const body = await readBoundedBody(request.raw, MAX_ADMISSION_BODY);
      if (!body) {
        s.metrics.admissionRequests.inc({ webhook, outcome: 'invalid' });
        reply.header('connection', 'close');
        return reply.code(413).send({ error: 'AdmissionReview larger than 4 MiB' });
      }
      const started = process.hrtime.bigint();
      const r = await handle(body);
      s.metrics.admissionDuration.observe({ webhook }, Number(process.hrtime.bigint() - started) / 1e9);
      s.metrics.admissionRequests.inc({ webhook, outcome: r.outcome });
      return reply.code(r.status).header('content-type', 'application/json').send(JSON.stringify(r.json));
    });
  }
}
