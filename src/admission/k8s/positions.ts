/**
 * Where a field of a manifest is in its file: the line and column of a field
 * path (`spec.template.spec.containers[0].securityContext.privileged`,
 * `metadata.annotations["key"]`) in one document of a multi-document YAML or
 * JSON stream, for reports that point at the source (SARIF). A path that
 * does not exist in the file (a field whose absence is the problem) points
 * at its deepest existing parent, else at the document.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
}

export interface ManifestLocator {
  /**
   * The position of `path` in document `document` (0-based, as readManifests
   * counts), inside `items[item]` when the object came from a `kind: List`.
   */
  locate(document: number, item: number | undefined, path: string): SourcePosition | undefined;
}

const MAX_SEGMENTS = 128;
const SEGMENT = /^(?:\.?([A-Za-z0-9_$-]+)|\[(\d{1,9})\]|\[("(?:[^"\\]|\\.){0,1024}")\])/;

/** The keys and indexes of a field path; undefined when it cannot be read. */
export function parseFieldPath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let rest = path;
  while (rest.length > 0) {
    if (out.length >= MAX_SEGMENTS) return undefined;
    const m = SEGMENT.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else {
      try {
        out.push(JSON.parse(m[3] ?? '""') as string);
      } catch {
        return undefined;
      }
    }
    rest = rest.slice(m[0].length);
  }
  return out;
}

function start(n: unknown): number | undefined {
  const r = (n as { range?: unknown } | null)?.range;
  return Array.isArray(r) && typeof r[0] === 'number' ? r[0] : undefined;
}

/** Offset of the deepest node on the path below `node`. */
function walk(node: unknown, segments: readonly (string | number)[]): number | undefined {
  let at = start(node);
  let cur = node;
  for (const seg of segments) {
    if (isMap(cur) && typeof seg === 'string') {
      const pair = cur.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === seg);
      if (!pair) break;
      at = start(pair.key) ?? start(pair.value) ?? at;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      const it = cur.items[seg];
      if (it === undefined) break;
      at = start(it) ?? at;
      cur = it;
    } else break;
  }
  return at;
}

/** Parses `text` once and answers positions in it. */
export function manifestLocator(text: string): ManifestLocator {
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[] = [];
  try {
    const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
    docs = Array.isArray(parsed) ? parsed : [parsed as unknown as Document.Parsed];
  } catch {
    docs = [];
  }
  return {
    locate(document, item, path) {
      const doc = docs[document];
      if (doc === undefined) return undefined;
      let root: unknown = doc.contents;
      if (item !== undefined) {
        const items = isMap(root) ? root.get('items', true) : undefined;
        root = isSeq(items) ? (items.items[item] as Node | undefined) : undefined;
      }
      const segments = parseFieldPath(path) ?? [];
      const offset = walk(root, segments) ?? start(root) ?? doc.range[0];
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    },
  };
}
