/**
 * OpenVEX documents (https://github.com/openvex/spec): v0.2.0 and the older
 * v0.0.1 form (`@context: https://openvex.dev/ns`, vulnerability and
 * products as plain strings), bare or as the predicate of an in-toto
 * statement (a cosign attestation). Parsed into plain records; unknown
 * fields are ignored as JSON-LD allows, known ones are checked.
 */
import { MamoriError, decodeUtf8, parsePurl, readBoundedFile, type ParsedPurl } from '../core/index.js';
import { clean, isPlainObject, parseTimestamp, quote, typeName } from './suppress.js';

export const MAX_VEX_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_VEX_FILES = 256;
const MAX_ITEMS = 100_000;
const MAX_DEPTH = 64;

export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** A product or subcomponent: its package URLs, other identifiers (IRIs, CPEs) and hashes. */
export interface VexComponent {
  readonly purls: readonly ParsedPurl[];
  /** Identifiers compared as written: an `@id` that is not a purl, CPEs. */
  readonly ids: readonly string[];
  /** Hashes as `algorithm:hex` with OCI's names (`sha256:…`), lower case. */
  readonly hashes: readonly string[];
}

export interface VexProduct extends VexComponent {
  readonly subcomponents: readonly VexComponent[];
}

export interface VexStatement {
  /** Position in the document's `statements`. */
  readonly index: number;
  /** The vulnerability's name (or `@id`), for messages. */
  readonly vulnerability: string;
  /** Name, `@id` and aliases: a finding matches when its id or an alias is one of them. */
  readonly vulnerabilityIds: readonly string[];
  readonly products: readonly VexProduct[];
  readonly status: VexStatus;
  readonly justification?: string;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  readonly statusNotes?: string;
  /** The statement's own timestamp (epoch ms); the document's applies when absent. */
  readonly timestamp?: number;
}

export interface VexDocument {
  /** The file's name as given, for messages and suppression sources. */
  readonly name: string;
  readonly id?: string;
  readonly timestamp?: number;
  readonly statements: readonly VexStatement[];
}

/** Documents in the order given: on equal timestamps a later document overrides an earlier one. */
export interface VexDocuments {
  readonly documents: readonly VexDocument[];
}

type Ctx = { readonly name: string };

function fail(ctx: Ctx, where: string, msg: string): never {
  throw new MamoriError('INVALID_ARGUMENT', `${ctx.name}: ${where}: ${msg}`);
}

const at = (where: string, key: string): string => (where === '' ? key : `${where}.${key}`);

function optString(ctx: Ctx, o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(ctx, at(where, key), `must be a string, got ${typeName(v)}`);
  return v.trim() === '' ? undefined : v;
}

function optTime(ctx: Ctx, o: Record<string, unknown>, key: string, where: string): number | undefined {
  const s = optString(ctx, o, key, where);
  if (s === undefined) return undefined;
  const t = parseTimestamp(s);
  if (t === undefined) fail(ctx, at(where, key), `not an RFC 3339 date-time: ${quote(s)}`);
  return t;
}

function array(ctx: Ctx, v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) fail(ctx, where, `must be a list, got ${typeName(v)}`);
  if (v.length > MAX_ITEMS)
    throw new MamoriError('LIMIT_EXCEEDED', `${ctx.name}: ${where}: more than ${MAX_ITEMS} items`);
  return v;
}

const HASH_NAMES: Readonly<Record<string, string>> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

function component(ctx: Ctx, v: unknown, where: string): VexComponent {
  const purls: ParsedPurl[] = [];
  const ids: string[] = [];
  const hashes: string[] = [];
  const addId = (s: string, at: string): void => {
    if (/^pkg:/i.test(s)) {
      const p = parsePurl(s);
      if (!p) fail(ctx, at, `not a valid package URL: ${quote(s)}`);
      purls.push(p);
    } else ids.push(s);
  };
  if (typeof v === 'string') {
    // v0.0.1: a product is its identifier.
    if (v.trim() === '') fail(ctx, where, 'empty product identifier');
    addId(v.trim(), where);
    return { purls, ids, hashes };
  }
  if (!isPlainObject(v)) fail(ctx, where, `must be a mapping or a string, got ${typeName(v)}`);
  const id = optString(ctx, v, '@id', where);
  if (id !== undefined) addId(id.trim(), `${where}.@id`);
  const idents = v['identifiers'];
  if (idents !== undefined && idents !== null) {
    if (!isPlainObject(idents))
      fail(ctx, `${where}.identifiers`, `must be a mapping, got ${typeName(idents)}`);
    for (const k of Object.keys(idents)) {
      const s = optString(ctx, idents, k, `${where}.identifiers`);
      if (s === undefined) continue;
      if (k === 'purl') {
        const p = parsePurl(s.trim());
        if (!p) fail(ctx, `${where}.identifiers.purl`, `not a valid package URL: ${quote(s)}`);
        purls.push(p);
      } else ids.push(s.trim());
    }
  }
  const hs = v['hashes'];
  if (hs !== undefined && hs !== null) {
    if (!isPlainObject(hs)) fail(ctx, `${where}.hashes`, `must be a mapping, got ${typeName(hs)}`);
    for (const k of Object.keys(hs)) {
      const s = optString(ctx, hs, k, `${where}.hashes`);
      if (s !== undefined)
        hashes.push(`${HASH_NAMES[k.toLowerCase()] ?? k.toLowerCase()}:${s.trim().toLowerCase()}`);
    }
  }
  if (purls.length + ids.length + hashes.length === 0) {
    fail(ctx, where, 'names no software (needs @id, identifiers or hashes)');
  }
  return { purls, ids, hashes };
}

function product(ctx: Ctx, v: unknown, where: string, legacySubs: readonly VexComponent[]): VexProduct {
  const c = component(ctx, v, where);
  const subs = isPlainObject(v) ? v['subcomponents'] : undefined;
  if (subs === undefined || subs === null) return { ...c, subcomponents: legacySubs };
  const list = array(ctx, subs, `${where}.subcomponents`);
  return { ...c, subcomponents: list.map((s, i) => component(ctx, s, `${where}.subcomponents[${i}]`)) };
}

function vulnerability(ctx: Ctx, v: unknown, where: string): { name: string; ids: string[] } {
  if (typeof v === 'string') {
    if (v.trim() === '') fail(ctx, where, 'required (empty)');
    return { name: v.trim(), ids: [v.trim()] };
  }
  if (v === undefined || v === null) fail(ctx, where, 'required');
  if (!isPlainObject(v)) fail(ctx, where, `must be a mapping, got ${typeName(v)}`);
  const name = optString(ctx, v, 'name', where)?.trim();
  const id = optString(ctx, v, '@id', where)?.trim();
  optString(ctx, v, 'description', where);
  const ids = [name, id].filter((x): x is string => x !== undefined);
  if (v['aliases'] !== undefined && v['aliases'] !== null) {
    array(ctx, v['aliases'], `${where}.aliases`).forEach((a, i) => {
      if (typeof a !== 'string') fail(ctx, `${where}.aliases[${i}]`, `must be a string, got ${typeName(a)}`);
      if (a.trim() !== '') ids.push(a.trim());
    });
  }
  const display = name ?? id;
  if (display === undefined) fail(ctx, `${where}.name`, 'required');
  return { name: display, ids };
}

function statement(
  ctx: Ctx,
  v: unknown,
  index: number,
  base: string,
  inherited?: readonly VexProduct[],
): VexStatement {
  const where = `${base}statements[${index}]`;
  if (!isPlainObject(v)) fail(ctx, where, `must be a mapping, got ${typeName(v)}`);
  const vuln = vulnerability(ctx, v['vulnerability'], `${where}.vulnerability`);
  const status = v['status'];
  if (typeof status !== 'string' || !(VEX_STATUSES as readonly string[]).includes(status)) {
    fail(
      ctx,
      `${where}.status`,
      `must be one of ${VEX_STATUSES.join(', ')}, got ${typeof status === 'string' ? quote(status) : status === undefined ? 'nothing' : typeName(status)}`,
    );
  }
  const justification = optString(ctx, v, 'justification', where);
  if (justification !== undefined && !(VEX_JUSTIFICATIONS as readonly string[]).includes(justification)) {
    fail(
      ctx,
      `${where}.justification`,
      `must be one of ${VEX_JUSTIFICATIONS.join(', ')}, got ${quote(justification)}`,
    );
  }
  const impactStatement = optString(ctx, v, 'impact_statement', where);
  if (status === 'not_affected' && justification === undefined && impactStatement === undefined) {
    fail(ctx, where, 'a not_affected statement needs a justification or an impact_statement');
  }
  optString(ctx, v, '@id', where);
  optString(ctx, v, 'supplier', where);
  optTime(ctx, v, 'last_updated', where);
  optTime(ctx, v, 'action_statement_timestamp', where);
  const legacy =
    v['subcomponents'] === undefined || v['subcomponents'] === null
      ? []
      : array(ctx, v['subcomponents'], `${where}.subcomponents`).map((s, i) =>
          component(ctx, s, `${where}.subcomponents[${i}]`),
        );
  let products: VexProduct[];
  if (v['products'] === undefined || v['products'] === null) {
    if (!inherited || inherited.length === 0)
      fail(ctx, `${where}.products`, 'required (the statement names no product)');
    products = inherited.map((p) => (legacy.length > 0 ? { ...p, subcomponents: legacy } : p));
  } else {
    const list = array(ctx, v['products'], `${where}.products`);
    if (list.length === 0) fail(ctx, `${where}.products`, 'must not be empty');
    products = list.map((p, i) => product(ctx, p, `${where}.products[${i}]`, legacy));
  }
  const timestamp = optTime(ctx, v, 'timestamp', where);
  const actionStatement = optString(ctx, v, 'action_statement', where);
  const statusNotes = optString(ctx, v, 'status_notes', where);
  return {
    index,
    vulnerability: vuln.name,
    vulnerabilityIds: vuln.ids,
    products,
    status: status as VexStatus,
    ...(justification !== undefined ? { justification } : {}),
    ...(impactStatement !== undefined ? { impactStatement } : {}),
    ...(actionStatement !== undefined ? { actionStatement } : {}),
    ...(statusNotes !== undefined ? { statusNotes } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
  };
}

/** Rejects JSON nested deeper than any OpenVEX document needs, before parsing it. */
function checkDepth(text: string, name: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH)
        throw new MamoriError('LIMIT_EXCEEDED', `${name}: nested more than ${MAX_DEPTH} levels deep`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

const CONTEXT = /^https?:\/\/openvex\.dev\/ns(?:\/v\d+\.\d+\.\d+)?\/?$/;

/** Products an in-toto statement's subjects name (by purl or name, and digest): they cascade to statements without products. */
function subjects(ctx: Ctx, v: unknown): VexProduct[] {
  if (v === undefined || v === null) return [];
  return array(ctx, v, 'subject').map((s, i) => {
    if (!isPlainObject(s)) fail(ctx, `subject[${i}]`, `must be a mapping, got ${typeName(s)}`);
    const digest = s['digest'];
    const hashes: string[] = [];
    if (isPlainObject(digest)) {
      for (const [k, h] of Object.entries(digest))
        if (typeof h === 'string') hashes.push(`${k}:${h}`.toLowerCase());
    }
    const name = typeof s['name'] === 'string' && s['name'].trim() !== '' ? s['name'].trim() : undefined;
    const purl = name === undefined ? undefined : parsePurl(name);
    return {
      purls: purl ? [purl] : [],
      ids: name !== undefined && !purl ? [name] : [],
      hashes,
      subcomponents: [],
    };
  });
}

/** Parses one OpenVEX document (JSON text); `name` names it in messages and suppression sources. */
export function parseOpenVex(text: string, name: string): VexDocument {
  const ctx = { name };
  if (Buffer.byteLength(text, 'utf8') > MAX_VEX_FILE_BYTES) {
    throw new MamoriError('LIMIT_EXCEEDED', `${name}: larger than ${MAX_VEX_FILE_BYTES} bytes`);
  }
  checkDepth(text, name);
  let root: unknown;
  try {
    root = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `${name}: not valid JSON: ${clean((e as Error).message)}`, {
      cause: e,
    });
  }
  if (!isPlainObject(root))
    throw new MamoriError('INVALID_ARGUMENT', `${name}: not an OpenVEX document (${typeName(root)})`);
  let doc = root;
  let base = '';
  let inherited: VexProduct[] | undefined;
  const type = root['_type'];
  if (typeof type === 'string' && type.startsWith('https://in-toto.io/Statement/')) {
    if (!isPlainObject(root['predicate'])) fail(ctx, 'predicate', 'must be an OpenVEX document');
    inherited = subjects(ctx, root['subject']);
    doc = root['predicate'];
    base = 'predicate.';
  }
  const context = doc['@context'];
  if (typeof context !== 'string' || !CONTEXT.test(context)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${name}: not an OpenVEX document (${base}@context must be https://openvex.dev/ns[/vX.Y.Z], got ${typeof context === 'string' ? quote(context) : context === undefined ? 'nothing' : typeName(context)})`,
    );
  }
  const top = base.replace(/\.$/, '');
  const id = optString(ctx, doc, '@id', top);
  optString(ctx, doc, 'author', top);
  const timestamp = optTime(ctx, doc, 'timestamp', top);
  optTime(ctx, doc, 'last_updated', top);
  const version = doc['version'];
  if (
    version !== undefined &&
    typeof version !== 'number' &&
    !(typeof version === 'string' && /^\d+$/.test(version))
  ) {
    fail(ctx, `${base}version`, `must be an integer, got ${typeName(version)}`);
  }
  if (doc['statements'] === undefined || doc['statements'] === null)
    fail(ctx, `${base}statements`, 'required');
  const statements = array(ctx, doc['statements'], `${base}statements`).map((s, i) =>
    statement(ctx, s, i, base, inherited),
  );
  return {
    name,
    ...(id !== undefined ? { id } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
    statements,
  };
}

/** Reads and parses OpenVEX files; each is named in messages by its path as given. */
export async function loadOpenVex(paths: readonly string[]): Promise<VexDocuments> {
  if (paths.length > MAX_VEX_FILES) {
    throw new MamoriError('LIMIT_EXCEEDED', `more than ${MAX_VEX_FILES} VEX documents`);
  }
  const documents: VexDocument[] = [];
  for (const p of paths) {
    const bytes = await readBoundedFile(p, MAX_VEX_FILE_BYTES);
    documents.push(parseOpenVex(decodeUtf8(bytes, p), p));
  }
  return { documents };
}
