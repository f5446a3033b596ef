/**
 * The registry's policy checks and event fan-out: who may create a project
 * by pushing, the pull gate of the scan policy, tag immutability, and every
 * push, pull, delete and denial into the audit log, the webhooks, the scan
 * queue and the metrics.
 */
import type { AccessAuthorizer } from '../access/index.js';
import type { Caller, RegistryEvent, RegistryHooks } from '../http/index.js';
import { projectOfRepository, RegistryError } from '../spec/index.js';
import { notify, type Services } from './services.js';

export function actorOf(caller: Caller): { actor?: string; actorKind: 'user' | 'robot' | 'anonymous' } {
  if (caller.anonymous) return { actorKind: 'anonymous' };
  return { actor: caller.name, actorKind: caller.name.startsWith('robot$') ? 'robot' : 'user' };
}

export function registryHooks(s: Services, authorizer: AccessAuthorizer): RegistryHooks {
  const { scanning, retention, audit, webhooks, metrics } = s;
  const emit = (type: string, e: Parameters<typeof notify>[2], data?: unknown): void =>
    notify(webhooks, type, e, data);
  return {
    preparePush: async (caller, repository) =>
      void (await authorizer.ensureProjectForPush(caller, repository)),
    checkTag: (caller, repository, tag, current, next) =>
      retention.checkTag(caller, repository, tag, current, next),
    checkPull: async (_caller, repository, digest) => {
      const d = await scanning.pullDecision(repository, digest);
      if (!d.allow) throw new RegistryError('DENIED', d.reason, { status: 403 });
    },
    event(e: RegistryEvent) {
      const who = { ...actorOf(e.caller), remote: e.remote };
      switch (e.type) {
        case 'push': {
          const resource = {
            repository: e.repository,
            project: projectOfRepository(e.repository),
            digest: e.digest,
            ...(e.tag !== undefined ? { reference: e.tag } : {}),
          };
          audit.record({ ...who, action: 'push', resource, result: 'success' });
          emit('push', e, { mediaType: e.mediaType, ...(e.subject ? { subject: e.subject } : {}) });
          // Referrers (signatures, SBOMs, reports) are not images to scan.
          if (e.subject === undefined) {
            void scanning.enqueue(e.repository, e.digest, 'push').catch(() => undefined);
          }
          return;
        }
        case 'pull':
          audit.record({
            ...who,
            action: 'pull',
            resource: {
              repository: e.repository,
              project: projectOfRepository(e.repository),
              digest: e.digest,
              reference: e.reference,
            },
            result: 'success',
          });
          emit('pull', e);
          return;
        case 'delete':
          audit.record({
            ...who,
            action: 'delete',
            resource: {
              repository: e.repository,
              project: projectOfRepository(e.repository),
              reference: e.reference,
            },
            result: 'success',
            detail: e.what,
          });
          emit('delete', {
            repository: e.repository,
            ...(e.what === 'tag' ? { tag: e.reference } : { digest: e.reference }),
          });
          if (e.what === 'manifest') void scanning.forget(e.repository, e.reference).catch(() => undefined);
          return;
        case 'denied': {
          const policy =
            e.reason !== 'unauthenticated' && e.reason !== 'forbidden' && e.reason !== 'bad credentials';
          if (!policy) metrics.authFailures.inc({ reason: e.reason.replace(/ /g, '_') });
          audit.record({
            ...who,
            action: policy ? 'policy.deny' : 'access.deny',
            ...(e.repository !== undefined
              ? { resource: { repository: e.repository, project: projectOfRepository(e.repository) } }
              : {}),
            result: 'denied',
            detail: `${e.actions.join(',') || 'access'}: ${e.reason}`,
          });
          if (policy && e.repository !== undefined)
            emit('policy.violation', { repository: e.repository }, { reason: e.reason });
          return;
        }
      }
    },
  };
}
