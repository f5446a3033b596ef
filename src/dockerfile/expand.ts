/**
 * Build-argument substitution for FROM (`$NAME`, `${NAME}`, `${NAME:-word}`,
 * `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`) and image reference splitting.
 * Hand-written scanners: linear in the input whatever it holds.
 */
import type { ImageRef } from './model.js';

export interface Expanded {
  readonly value: string;
  /** A variable had no value (and no default): the result still holds its reference. */
  readonly unresolved: boolean;
}

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_]/.test(c);
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/** `vars` maps a name to its value, or to null when declared without one. */
export function expandVariables(
  text: string,
  vars: ReadonlyMap<string, string | null>,
  escape = '\\',
): Expanded {
  let out = '';
  let unresolved = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === escape && text[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) {
        out += text.slice(i);
        unresolved = true;
        break;
      }
      const body = text.slice(i + 2, close);
      let n = 0;
      while (isNameChar(body[n])) n++;
      const name = body.slice(0, n);
      const op = body.slice(n);
      const value = vars.get(name) ?? null;
      const set = value !== null;
      const nonEmpty = set && value !== '';
      if (op === '') {
        if (set) out += value;
        else {
          out += text.slice(i, close + 1);
          unresolved = true;
        }
      } else if (op.startsWith(':-') || op.startsWith('-')) {
        const word = op.slice(op.startsWith(':-') ? 2 : 1);
        const useDefault = op.startsWith(':-') ? !nonEmpty : !set;
        const inner = useDefault
          ? expandVariables(word, vars, escape)
          : { value: value ?? '', unresolved: false };
        out += inner.value;
        unresolved ||= inner.unresolved;
      } else if (op.startsWith(':+') || op.startsWith('+')) {
        const word = op.slice(op.startsWith(':+') ? 2 : 1);
        const useAlt = op.startsWith(':+') ? nonEmpty : set;
        if (useAlt) {
          const inner = expandVariables(word, vars, escape);
          out += inner.value;
          unresolved ||= inner.unresolved;
        }
      } else {
        out += text.slice(i, close + 1);
        unresolved = true;
      }
      i = close + 1;
      continue;
    }
    if (isNameStart(text[i + 1])) {
      let j = i + 1;
      while (isNameChar(text[j])) j++;
      const name = text.slice(i + 1, j);
      const value = vars.get(name) ?? null;
      if (value !== null) out += value;
      else {
        out += text.slice(i, j);
        unresolved = true;
      }
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return { value: out, unresolved };
}

/** Splits `[registry/]name[:tag][@digest]`. */
export function parseImageRef(raw: string, resolved: string, unresolved: boolean): ImageRef {
  let rest = resolved;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  return {
    raw,
    resolved,
    unresolved,
    name: rest,
    ...(registry !== undefined ? { registry } : {}),
    ...(tag !== undefined && tag !== '' ? { tag } : {}),
    ...(digest !== undefined && digest !== '' ? { digest } : {}),
  };
}
