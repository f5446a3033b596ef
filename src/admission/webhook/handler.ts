/**
 * The validating and mutating admission webhooks, framework-free: an AdmissionReview body
 * in, the AdmissionReview answer out. A malformed or oversized body gets a
 * 400 with a clear message (the API server then applies its failure
 * policy); a decision that does not finish within the time budget is
 * answered by the configured failure policy (`Fail` denies, `Ignore`
 * allows with a warning) so the API server never waits out its own
 * timeout. Dry-run requests are judged the same way but leave no record.
 */
import { errorMessage, isMamoriError } from '../../core/index.js';
import type { Policy } from '../../policy/index.js';
import {
  describeFinding,
  evaluateObject,
  type ImageResolver,
  mutateObject,
  type Verdict,
} from '../engine/index.js';
import { type AdmissionRequest, admissionReviewResponse, parseAdmissionReview } from '../review/index.js';

export type FailurePolicy = 'Fail' | 'Ignore';

export interface WebhookOptions {
  readonly policy: Policy;
  readonly resolveImage?: ImageResolver;
  /** Most time one decision may take (default 2000 ms; the API server's default timeout is 10 s). */
  readonly budgetMs?: number;
  /** What to answer when the budget runs out or the decision fails (default `Fail`). */
  readonly failurePolicy?: FailurePolicy;
  readonly now?: () => number;
  /** Every decision that is not a dry run, for the audit log. */
  readonly onDecision?: (request: AdmissionRequest, verdict: Verdict | undefined, outcome: string) => void;
}

export interface WebhookReply {
  readonly status: number;
  readonly json: unknown;
  /** What happened, for metrics: a fixed word. */
  readonly outcome: WebhookOutcome;
}

export const WEBHOOK_OUTCOMES = ['allowed', 'denied', 'mutated', 'unchanged', 'failed', 'invalid'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

const MAX_DENIAL_LINES = 5;

function denialMessage(v: Verdict): string {
  const lines = [...v.errors.map((e) => `unreadable object: ${e}`), ...v.denials.map(describeFinding)];
  const shown = lines.slice(0, MAX_DENIAL_LINES);
  const more = lines.length - shown.length;
  return `denied by mamori policy: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** What one kind of webhook does with a parsed request. */
type Decide = (request: AdmissionRequest, record: Recorder) => Promise<WebhookReply>;
type Recorder = (verdict: Verdict | undefined, outcome: string) => void;

function evaluateOptions(options: WebhookOptions, request: AdmissionRequest, now: () => number) {
  return {
    namespace: request.namespace,
    ...(request.userInfo.username !== undefined ? { user: request.userInfo.username } : {}),
    now: now(),
    ...(options.resolveImage ? { resolveImage: options.resolveImage } : {}),
  };
}

function handler(options: WebhookOptions, decide: Decide): (body: Buffer) => Promise<WebhookReply> {
  const budget = options.budgetMs ?? 2000;
  const failurePolicy = options.failurePolicy ?? 'Fail';
  return async (body) => {
    let request: AdmissionRequest;
    try {
      request = parseAdmissionReview(body);
    } catch (e) {
      const message = isMamoriError(e) ? e.message : 'invalid AdmissionReview';
      return {
        status: isMamoriError(e, 'LIMIT_EXCEEDED') ? 413 : 400,
        json: { error: message },
        outcome: 'invalid',
      };
    }
    const record: Recorder = (verdict, outcome) => {
      if (!request.dryRun) options.onDecision?.(request, verdict, outcome);
    };
    if (request.operation === 'DELETE' || request.operation === 'CONNECT') {
      return {
        status: 200,
        json: admissionReviewResponse(request.uid, { allowed: true }),
        outcome: 'allowed',
      };
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), budget);
    });
    try {
      const result = await Promise.race([decide(request, record), timeout]);
      return result === 'timeout' ? failed(`mamori could not decide within ${budget} ms`) : result;
    } catch (e) {
      return failed(`mamori could not decide: ${errorMessage(e)}`);
    } finally {
      clearTimeout(timer);
    }

    function failed(why: string): WebhookReply {
      record(undefined, failurePolicy === 'Fail' ? `failed closed: ${why}` : `failed open: ${why}`);
      return {
        status: 200,
        outcome: 'failed',
        json: admissionReviewResponse(
          request.uid,
          failurePolicy === 'Fail'
            ? { allowed: false, code: 500, message: why }
            : { allowed: true, warnings: [`${why}; admitted because the failure policy is Ignore`] },
        ),
      };
    }
  };
}

/** The validating webhook: the verdict of the policy, denials naming rule, field path and fix. */
export function createWebhookHandler(options: WebhookOptions): (body: Buffer) => Promise<WebhookReply> {
  const now = options.now ?? Date.now;
  return handler(options, async (request, record) => {
    const result = await evaluateObject(
      request.object,
      options.policy,
      evaluateOptions(options, request, now),
    );
    record(result, result.allowed ? 'allowed' : 'denied');
    return {
      status: 200,
      outcome: result.allowed ? 'allowed' : 'denied',
      json: admissionReviewResponse(request.uid, {
        allowed: result.allowed,
        ...(result.allowed ? {} : { message: denialMessage(result) }),
        warnings: [
          ...result.warnings.map(describeFinding),
          ...result.expiredExemptions.map((e) => `an exemption expired: ${e}`),
        ],
      }),
    };
  });
}

/**
 * The mutating webhook: image tags pinned to digests (JSONPatch) where a
 * rule asks for it; it never denies (the validating webhook decides), and
 * records a decision only when it changed something.
 */
export function createMutatingWebhookHandler(
  options: WebhookOptions,
): (body: Buffer) => Promise<WebhookReply> {
  const now = options.now ?? Date.now;
  return handler(options, async (request, record) => {
    const m = await mutateObject(request.object, options.policy, evaluateOptions(options, request, now));
    if (m.patch.length > 0) {
      record(undefined, `mutated: ${m.patch.map((p) => `${p.path}=${p.value}`).join(' ')}`);
    }
    return {
      status: 200,
      outcome: m.patch.length > 0 ? 'mutated' : 'unchanged',
      json: admissionReviewResponse(request.uid, { allowed: true, patch: m.patch, warnings: m.warnings }),
    };
  });
}
