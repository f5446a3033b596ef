import type { IncomingMessage } from 'node:http';
import type { BlobStore } from '../storage/index.js';
import type { StateStore } from '../state/index.js';
import { RegistryError } from '../spec/index.js';
import type { Caller, RegistryAuthorizer, RegistryHooks } from './auth.js';

/** What every handler works with. */
export interface RegistryContext {
  readonly storage: BlobStore;
  readonly state: StateStore;
  /** Access control; absent → every route is open. */
  readonly authorizer?: RegistryAuthorizer;
  readonly hooks: RegistryHooks;
}

/** The caller of a registry without access control. */
export const ANONYMOUS: Caller = Object.freeze({ name: 'anonymous', anonymous: true, via: 'none' });

/** A handler's answer: status, headers and an optional body (JSON value, bytes or stream). */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly stream?: NodeJS.ReadableStream;
  /** Bytes to send as they are. */
  readonly body?: Buffer;
  /** The Content-Length to announce for a HEAD reply (no body is sent). */
  readonly headLength?: number;
}

/** The parts of a request the handlers read. */
export interface RegistryRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** The raw request body, never buffered by the framework. */
  readonly body: IncomingMessage;
  readonly caller: Caller;
  /** The client's address. */
  readonly remote: string;
}

/** Reports an event; a failing listener never fails the request. */
export function emit(ctx: RegistryContext, e: Parameters<NonNullable<RegistryHooks['event']>>[0]): void {
  try {
    ctx.hooks.event?.(e);
  } catch {
    // Listeners keep their own error handling; the request has succeeded.
  }
}

/** A single header value (the first when repeated). */
export function header(req: RegistryRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Whether the request announces a body (a non-zero Content-Length or chunked transfer encoding). */
export function hasBody(req: RegistryRequest): boolean {
  const len = header(req, 'content-length');
  if (len !== undefined) return len.trim() !== '0';
  return header(req, 'transfer-encoding') !== undefined;
}

/** The declared Content-Length, or undefined; a malformed one is SIZE_INVALID. */
export function contentLength(req: RegistryRequest): number | undefined {
  const len = header(req, 'content-length');
  if (len === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(len.trim())) {
    throw new RegistryError('SIZE_INVALID', 'malformed Content-Length header', { status: 400 });
  }
  return Number(len.trim());
}

/** Percent-encodes a repository name for a Location header path (names hold only safe characters). */
export function v2Path(name: string, ...rest: string[]): string {
  return ['/v2', name, ...rest].join('/');
}
