/**
 * Streams an SBOM document into the reader's model.
 *
 * Memory: the document is never held whole, neither as text nor as a parsed
 * tree. The splitter keeps at most one piece as text at a time (one
 * component with its nested components, or one small top-level value, each
 * bounded); the piece is parsed with JSON.parse, reduced at once to a
 * RawComponent (a few bounded strings and the properties the reader uses)
 * and the parsed object dropped. Lists nobody needs (SPDX `files`, CycloneDX
 * `dependencies`, `vulnerabilities`, …) are scanned past without being kept.
 * What remains grows with the number of components, not with the size of the
 * file: in the order of a kilobyte per component while reading, less in the
 * resulting inventory (a generated 300,000-component, 230 MB document leaves
 * an inventory of about 170 MB).
 */
import { MamoriError } from '../core/index.js';
import { isObject, MAX_COMPONENTS, MAX_DEPTH, MAX_PIECE_BYTES, MAX_RELATIONSHIPS, own } from './bounds.js';
import { cdxComponent, cdxComponentTree } from './cyclonedx.js';
import { JsonSplitter, type JsonPiece, type MemberMode } from './json-stream.js';
import type { RawComponent, Relationship, SbomDocument, SbomFormat } from './model.js';
import { spdxPackage, spdxRelationship } from './spdx.js';

/** Top-level members the reader uses; every other one is skipped. */
const MEMBER_MODES: ReadonlyMap<string, MemberMode> = new Map<string, MemberMode>([
  ['bomFormat', 'value'],
  ['specVersion', 'value'],
  ['metadata', 'value'],
  ['components', 'elements'],
  ['spdxVersion', 'value'],
  ['name', 'value'],
  ['documentDescribes', 'value'],
  ['packages', 'elements'],
  ['relationships', 'elements'],
]);

export const SUPPORTED =
  'CycloneDX JSON (specVersion 1.2 to 1.7) and SPDX JSON (SPDX-2.2, SPDX-2.3) are supported';
const CDX_VERSIONS = new Set(['1.2', '1.3', '1.4', '1.5', '1.6', '1.7']);
const SPDX_VERSIONS = new Set(['SPDX-2.2', 'SPDX-2.3']);
const MAX_DESCRIBES = 1024;

export function memberMode(key: string): MemberMode {
  return MEMBER_MODES.get(key) ?? 'skip';
}

function parsePiece(what: string, p: JsonPiece): unknown {
  try {
    return JSON.parse(p.text) as unknown;
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `${what}: invalid JSON in "${p.key}" at byte ${p.offset}`, {
      cause: e,
    });
  }
}

export class SbomCollector {
  private readonly splitter: JsonSplitter;
  private readonly values = new Map<string, unknown>();
  private readonly cdx: RawComponent[] = [];
  private readonly spdx: RawComponent[] = [];
  private readonly relationships: Relationship[] = [];
  private droppedRelationships = 0;
  private malformed = 0;
  private count = 0;

  constructor(private readonly what: string) {
    this.splitter = new JsonSplitter({
      what,
      mode: memberMode,
      maxPieceBytes: MAX_PIECE_BYTES,
      maxDepth: MAX_DEPTH,
    });
  }

  private readonly budget = (): void => {
    if (++this.count > MAX_COMPONENTS) {
      throw new MamoriError('LIMIT_EXCEEDED', `${this.what}: more than ${MAX_COMPONENTS} components`);
    }
  };

  push(chunk: Buffer): void {
    for (const piece of this.splitter.push(chunk)) this.take(piece);
  }

  private take(piece: JsonPiece): void {
    const value = parsePiece(this.what, piece);
    switch (piece.key) {
      case 'components': {
        const tree = cdxComponentTree(value, this.cdx.length, this.budget);
        for (const c of tree.components) this.cdx.push(c);
        this.malformed += tree.malformed;
        break;
      }
      case 'packages':
        if (!isObject(value)) {
          this.malformed++;
          break;
        }
        this.budget();
        this.spdx.push(spdxPackage(value, this.spdx.length));
        break;
      case 'relationships': {
        const r = spdxRelationship(value);
        if (r === undefined) break;
        if (this.relationships.length >= MAX_RELATIONSHIPS) this.droppedRelationships++;
        else this.relationships.push(r);
        break;
      }
      default:
        // A repeated member: the last one wins, as with JSON.parse.
        this.values.set(piece.key, value);
    }
  }

  private format(): { format: SbomFormat; specVersion: string } {
    const bomFormat = this.values.get('bomFormat');
    const spdxVersion = this.values.get('spdxVersion');
    if (bomFormat !== undefined && spdxVersion !== undefined) {
      throw new MamoriError('INVALID_ARGUMENT', `${this.what}: the document is both CycloneDX and SPDX`);
    }
    if (bomFormat === 'CycloneDX') {
      const v = this.values.get('specVersion');
      if (typeof v !== 'string' || !CDX_VERSIONS.has(v)) {
        throw new MamoriError(
          'INVALID_ARGUMENT',
          `${this.what}: CycloneDX specVersion ${JSON.stringify(v ?? null).slice(0, 40)} is not supported; ${SUPPORTED}`,
        );
      }
      return { format: 'cyclonedx', specVersion: v };
    }
    if (typeof spdxVersion === 'string' && SPDX_VERSIONS.has(spdxVersion)) {
      return { format: 'spdx', specVersion: spdxVersion.slice('SPDX-'.length) };
    }
    const what =
      spdxVersion !== undefined ? `an SPDX version ${JSON.stringify(spdxVersion).slice(0, 40)}` : '';
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${this.what}: not a CycloneDX or SPDX JSON SBOM${what ? ` (${what})` : ''}; ${SUPPORTED}`,
    );
  }

  /** Checks the document was complete and returns what was read. */
  finish(): SbomDocument {
    this.splitter.end();
    const { format, specVersion } = this.format();
    if (format === 'cyclonedx') {
      const component = own(this.values.get('metadata'), 'component');
      const subject = isObject(component) ? cdxComponent(component, -1, undefined) : undefined;
      // Components nested in the subject are part of what it is made of.
      const nested = own(component, 'components');
      const components = [...this.cdx];
      if (Array.isArray(nested)) {
        for (const n of nested as unknown[]) {
          const tree = cdxComponentTree(n, components.length, this.budget);
          components.push(...tree.components);
          this.malformed += tree.malformed;
        }
      }
      return {
        format,
        specVersion,
        subject,
        documentName: undefined,
        components,
        relationships: [],
        describes: [],
        malformed: this.malformed,
        droppedRelationships: 0,
      };
    }
    const describes = this.values.get('documentDescribes');
    const name = this.values.get('name');
    return {
      format,
      specVersion,
      subject: undefined,
      documentName: typeof name === 'string' ? name : undefined,
      components: this.spdx,
      relationships: this.relationships,
      describes: Array.isArray(describes)
        ? (describes as unknown[]).filter((d): d is string => typeof d === 'string').slice(0, MAX_DESCRIBES)
        : [],
      malformed: this.malformed,
      droppedRelationships: this.droppedRelationships,
    };
  }
}
