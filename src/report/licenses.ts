/**
 * Declared licence strings as found in packages, sorted into what SBOM
 * formats can carry: an SPDX licence id, a valid SPDX licence expression, or
 * free text (which SPDX documents carry as a `LicenseRef-…`).
 */
import { createHash } from 'node:crypto';
import { SPDX } from '@cyclonedx/cyclonedx-library';
import parseSpdxExpression from 'spdx-expression-parse';
import { sanitizeId } from './model.js';

type Node = ReturnType<typeof parseSpdxExpression>;

export interface ParsedLicense {
  /** The licence as found, trimmed. */
  readonly text: string;
  /** Set when the text is a single SPDX id of CycloneDX's licence list (case fixed). */
  readonly spdxId: string | undefined;
  /** Canonical SPDX expression (upper-case operators, minimal brackets) when the text is one. */
  readonly expression: string | undefined;
  /** Top-level operator of `expression`, if it is compound. */
  readonly operator: 'AND' | 'OR' | undefined;
  /** `LicenseRef-…` identifiers the expression uses. */
  readonly licenseRefs: readonly string[];
}

/** Longest text tried as an SPDX expression; longer ones (whole licence texts) are free text. */
const MAX_EXPRESSION_LENGTH = 512;
/** Deepest expression kept; deeper ones are free text. */
const MAX_EXPRESSION_DEPTH = 32;

function render(n: Node, refs: string[], depth: number, parent?: 'and' | 'or'): string {
  if (depth > MAX_EXPRESSION_DEPTH) throw new RangeError('expression too deep');
  if ('conjunction' in n) {
    const s = `${render(n.left, refs, depth + 1, n.conjunction)} ${n.conjunction.toUpperCase()} ${render(n.right, refs, depth + 1, n.conjunction)}`;
    return parent !== undefined && parent !== n.conjunction ? `(${s})` : s;
  }
  if (n.license.startsWith('DocumentRef-'))
    throw new RangeError('external document references are not carried');
  if (n.license.startsWith('LicenseRef-')) refs.push(n.license);
  return `${n.license}${n.plus ? '+' : ''}${n.exception ? ` WITH ${n.exception}` : ''}`;
}

function tryExpression(
  text: string,
): { expression: string; operator: 'AND' | 'OR' | undefined; refs: string[] } | undefined {
  if (text.length > MAX_EXPRESSION_LENGTH) return undefined;
  try {
    const node = parseSpdxExpression(text);
    const refs: string[] = [];
    const expression = render(node, refs, 0);
    const operator = 'conjunction' in node ? (node.conjunction === 'and' ? 'AND' : 'OR') : undefined;
    return { expression, operator, refs };
  } catch {
    return undefined;
  }
}

/** Classifies one declared licence; undefined for empty text and the SPDX "no information" words. */
export function parseLicense(raw: unknown): ParsedLicense | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text.length === 0 || text === 'NOASSERTION' || text === 'NONE') return undefined;
  const fixed = text.length <= MAX_EXPRESSION_LENGTH ? SPDX.fixupSpdxId(text) : undefined;
  const expr = tryExpression(text) ?? (fixed !== undefined ? tryExpression(fixed) : undefined);
  return {
    text,
    spdxId: fixed,
    expression: expr?.expression,
    operator: expr?.operator,
    licenseRefs: expr?.refs ?? [],
  };
}

/** Parses, drops empties and duplicates (by canonical form), keeps order. */
export function parseLicenses(raw: unknown): ParsedLicense[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Set<string>();
  const out: ParsedLicense[] = [];
  for (const r of raw as unknown[]) {
    const p = parseLicense(r);
    if (p === undefined) continue;
    const key = p.expression ?? p.spdxId ?? `text:${p.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/**
 * The `LicenseRef-…` id under which free licence text is declared in an SPDX
 * document: the text itself when it is already a valid id string, else its
 * sanitised form plus a hash of the text, so distinct texts never share an id.
 */
export function licenseRefFor(text: string): string {
  const clean = sanitizeId(text, 48);
  if (clean === text && clean.length > 0) return `LicenseRef-${clean}`;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `LicenseRef-${clean.length > 0 ? `${clean}-` : ''}${hash}`;
}

/** `a AND b` of several expressions, bracketing any whose top-level operator is OR. */
export function conjoin(
  terms: readonly { readonly expression: string; readonly operator?: string | undefined }[],
): string {
  if (terms.length === 1) return terms[0]?.expression ?? '';
  return terms.map((t) => (t.operator === 'OR' ? `(${t.expression})` : t.expression)).join(' AND ');
}
