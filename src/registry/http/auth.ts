/**
 * What the Distribution routes need from access control, as an interface:
 * the HTTP layer decides which actions a request needs, the access module
 * (src/registry/access) decides who the caller is and what they may do.
 * Without an authoriser every route is open (tests, a registry on a
 * private socket).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Distribution's repository actions (Docker token scope `repository:NAME:ACTIONS`). */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** Who sent a request, as the authoriser established it. */
export interface Caller {
  /** `anonymous` for a request without credentials; a user name; `robot$NAME` for a robot account. */
  readonly name: string;
  readonly anonymous: boolean;
  /** How the caller proved who they are. */
  readonly via: 'none' | 'basic' | 'bearer';
}

export interface RegistryAuthorizer {
  /**
   * Establishes the caller from the request's Authorization header. No
   * header → the anonymous caller. Malformed, wrong or expired credentials
   * throw RegistryError UNAUTHORIZED (401; the app adds the challenge).
   */
  authenticate(headers: IncomingHttpHeaders, remoteAddress: string): Promise<Caller>;
  /**
   * The subset of `wanted` the caller may do on the repository. Must not
   * depend on whether the repository exists: an answer that did would tell
   * strangers which names are taken.
   */
  permitted(
    caller: Caller,
    repository: string,
    wanted: readonly RepositoryAction[],
  ): Promise<Set<RepositoryAction>>;
  /** Whether the caller may see the repository in `/v2/_catalog`. */
  canList(caller: Caller, repository: string): Promise<boolean>;
  /**
   * Value of `WWW-Authenticate` for a 401: `Bearer realm="…",service="…"`
   * plus `scope="…"` when the request targets a repository.
   */
  challenge(scope?: { readonly repository: string; readonly actions: readonly RepositoryAction[] }): string;
}

/** One of the registry's own events, reported after the fact (audit log, webhooks, scan queue, metrics). */
export type RegistryEvent =
  | {
      readonly type: 'push';
      readonly caller: Caller;
      readonly remote: string;
      readonly repository: string;
      readonly digest: string;
      readonly mediaType: string;
      readonly tag?: string;
      /** Digest of the manifest this one is a referrer of (OCI `subject`). */
      readonly subject?: string;
    }
  | {
      readonly type: 'pull';
      readonly caller: Caller;
      readonly remote: string;
      readonly repository: string;
      readonly digest: string;
      readonly reference: string;
    }
  | {
      readonly type: 'delete';
      readonly caller: Caller;
      readonly remote: string;
      readonly repository: string;
      /** A tag or a digest. */
      readonly reference: string;
      readonly what: 'manifest' | 'tag' | 'blob';
    }
  | {
      readonly type: 'denied';
      readonly caller: Caller;
      readonly remote: string;
      /** Absent for `/v2/` and the catalog. */
      readonly repository?: string;
      readonly actions: readonly RepositoryAction[];
      /** Why: `unauthenticated`, `forbidden`, or the policy that refused (a pull gate, an immutable tag). */
      readonly reason: string;
    };

/**
 * Points where the rest of the server takes part in a request. Each check
 * throws a RegistryError (usually DENIED) to refuse; `event` never fails
 * a request (it is called after the reply is decided, errors are ignored).
 */
export interface RegistryHooks {
  /** Before the first write to a repository of a project that may not exist yet (an admin's push creates it). */
  preparePush?(caller: Caller, repository: string): Promise<void>;
  /** Before a manifest's bytes are served (GET; HEAD is not a pull). */
  checkPull?(caller: Caller, repository: string, digest: string): Promise<void>;
  /** Before a tag is created, moved (`next` set) or deleted (`next` undefined). */
  checkTag?(
    caller: Caller,
    repository: string,
    tag: string,
    current: string | undefined,
    next: string | undefined,
  ): Promise<void>;
  event?(e: RegistryEvent): void;
}
