/**
 * Reads one Java archive and, recursively from memory, the archives nested
 * in it: the central directory, the manifest, the pom.properties files and
 * the nested archives, nothing else. A Budget shared by the whole walk bounds
 * depth, bytes inflated, archives opened and packages reported.
 */
import { isMamoriError } from '../../../core/index.js';
import { BufferSource } from '../../bytesource.js';
import type { ByteSource } from '../../cataloger.js';
import { ZipArchive } from '../../zip/index.js';
import type { ZipEntry } from '../../zip/index.js';
import { dirOf, identifyPackages } from './identity.js';
import type { PomProperties } from './identity.js';
import { parseManifest } from './manifest.js';
import type { Manifest } from './manifest.js';
import { parseProperties } from './properties.js';
import type { JavaArchiveOptions, JavaArchivePackage } from './types.js';

/** File names of Java archives: jar, war, ear, Jenkins plugins, JBoss/Liferay/Karaf/NiFi archives, JCA adapters. */
export const ARCHIVE_NAME = /\.(?:jar|war|ear|jpi|hpi|par|sar|nar|kar|rar|lpkg)$/i;
const POM_PROPERTIES = /(?:^|\/)META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const POM_XML = /(?:^|\/)META-INF\/maven\/[^/]+\/[^/]+\/pom\.xml$/;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Bytes of a manifest read (its main section comes first); pom.properties larger than this are skipped. */
const MAX_MANIFEST = 512 * 1024;
const MAX_POM_PROPERTIES = 64 * 1024;
const MAX_POMS_PER_ARCHIVE = 2048;
const MAX_NOTES = 32;

/** Limits shared by every archive of one walk, and the notes on what was skipped. */
export class Budget {
  private inflated = 0;
  private archives = 0;
  private packages = 0;
  private dropped = 0;
  private readonly notes: string[] = [];

  constructor(readonly options: JavaArchiveOptions) {}

  /** Takes `bytes` of inflation from the budget; false (nothing taken) when not enough remains. */
  takeBytes(bytes: number): boolean {
    if (this.inflated + bytes > this.options.maxInflatedBytes) return false;
    this.inflated += bytes;
    return true;
  }

  takeArchive(): boolean {
    if (this.archives >= this.options.maxNestedArchives) return false;
    this.archives++;
    return true;
  }

  takePackages(pkgs: JavaArchivePackage[]): JavaArchivePackage[] {
    const room = Math.max(0, this.options.maxPackages - this.packages);
    if (pkgs.length > room) this.note(`package limit of ${this.options.maxPackages} reached`);
    const kept = pkgs.slice(0, room);
    this.packages += kept.length;
    return kept;
  }

  note(message: string): void {
    if (this.notes.length < MAX_NOTES)
      this.notes.push(message.length > 400 ? `${message.slice(0, 400)}…` : message);
    else this.dropped++;
  }

  skipped(): string[] {
    return this.dropped > 0 ? [...this.notes, `… and ${this.dropped} more`] : [...this.notes];
  }
}

function describe(e: unknown): string {
  return isMamoriError(e) ? e.message : String(e);
}

/** Reads up to `max` bytes from the start of an entry (a manifest's main section is at its start). */
async function readPrefix(zip: ZipArchive, entry: ZipEntry, max: number): Promise<Buffer> {
  if (entry.uncompressedSize <= max) return zip.read(entry, { maxBytes: max });
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of zip.createReadStream(entry, { maxBytes: Number.MAX_SAFE_INTEGER })) {
    parts.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= max) break;
  }
  return Buffer.concat(parts).subarray(0, max);
}

async function readManifest(zip: ZipArchive, where: string, budget: Budget): Promise<Manifest | undefined> {
  const entry =
    zip.get('META-INF/MANIFEST.MF') ??
    zip.entries.find((e) => e.name.toUpperCase() === 'META-INF/MANIFEST.MF');
  if (!entry) return undefined;
  if (!budget.takeBytes(Math.min(entry.uncompressedSize, MAX_MANIFEST))) {
    budget.note(`${where}: manifest not read, inflation budget exhausted`);
    return undefined;
  }
  try {
    return parseManifest((await readPrefix(zip, entry, MAX_MANIFEST)).toString('utf8'));
  } catch (e) {
    if (!isMamoriError(e)) throw e;
    budget.note(`${where}: manifest not read: ${describe(e)}`);
    return undefined;
  }
}

async function readPoms(
  zip: ZipArchive,
  entries: ZipEntry[],
  where: string,
  budget: Budget,
): Promise<PomProperties[]> {
  const byDir = new Map<string, PomProperties>();
  const sorted = entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted.slice(0, MAX_POMS_PER_ARCHIVE)) {
    if (byDir.has(dirOf(entry.name))) continue;
    if (entry.uncompressedSize > MAX_POM_PROPERTIES || !budget.takeBytes(entry.uncompressedSize)) {
      budget.note(`${where}:${entry.name}: not read (too large or inflation budget exhausted)`);
      continue;
    }
    let props: Map<string, string>;
    try {
      props = parseProperties((await zip.read(entry, { maxBytes: MAX_POM_PROPERTIES })).toString('utf8'));
    } catch (e) {
      if (!isMamoriError(e)) throw e;
      budget.note(`${where}:${entry.name}: ${describe(e)}`);
      continue;
    }
    const artifactId = (props.get('artifactId') ?? '').trim();
    const version = (props.get('version') ?? '').trim();
    if (artifactId === '' || version === '') continue;
    byDir.set(dirOf(entry.name), {
      path: entry.name,
      groupId: (props.get('groupId') ?? '').trim(),
      artifactId,
      version,
    });
  }
  return [...byDir.values()];
}

/** The packages of the archive in `source` and of the archives nested in it. */
export async function walkArchive(
  source: ByteSource,
  virtualPath: string,
  fileName: string,
  depth: number,
  budget: Budget,
): Promise<JavaArchivePackage[]> {
  const zip = await ZipArchive.open(source, budget.options.zipLimits);
  const pomEntries: ZipEntry[] = [];
  const pomXmlDirs = new Set<string>();
  // A name listed twice is read once, as its last entry (what java.util.zip would open).
  const nestedByName = new Map<string, ZipEntry>();
  for (const e of zip.entries) {
    if (e.isDirectory) continue;
    if (POM_PROPERTIES.test(e.name)) {
      pomEntries.push(e);
    } else if (POM_XML.test(e.name)) pomXmlDirs.add(dirOf(e.name));
    else if (ARCHIVE_NAME.test(e.name)) nestedByName.set(e.name, e);
  }
  const nested = [...nestedByName.values()];
  if (pomEntries.length > MAX_POMS_PER_ARCHIVE) {
    budget.note(
      `${virtualPath}: only the first ${MAX_POMS_PER_ARCHIVE} of ${pomEntries.length} pom.properties read`,
    );
  }
  const manifest = await readManifest(zip, virtualPath, budget);
  const poms = await readPoms(zip, pomEntries, virtualPath, budget);
  const evidence = { virtualPath, fileName, poms, pomXmlDirs, ...(manifest ? { manifest } : {}) };
  const packages = budget.takePackages(identifyPackages(evidence));

  if (nested.length > 0 && depth >= budget.options.maxDepth) {
    budget.note(
      `${virtualPath}: ${nested.length} nested archive(s) below depth ${budget.options.maxDepth} not read`,
    );
    return packages;
  }
  nested.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of nested) {
    packages.push(...(await walkNested(zip, entry, `${virtualPath}:${entry.name}`, depth + 1, budget)));
  }
  return packages;
}

async function walkNested(
  zip: ZipArchive,
  entry: ZipEntry,
  virtualPath: string,
  depth: number,
  budget: Budget,
): Promise<JavaArchivePackage[]> {
  const max = budget.options.maxNestedArchiveSize;
  if (entry.uncompressedSize > max) {
    budget.note(
      `${virtualPath}: not read, ${entry.uncompressedSize} bytes exceed the nested archive limit of ${max}`,
    );
    return [];
  }
  if (!budget.takeArchive()) {
    budget.note(
      `${virtualPath}: not read, limit of ${budget.options.maxNestedArchives} nested archives reached`,
    );
    return [];
  }
  if (!budget.takeBytes(entry.uncompressedSize)) {
    budget.note(`${virtualPath}: not read, inflation budget exhausted`);
    return [];
  }
  try {
    const data = await zip.read(entry, { maxBytes: max });
    if (!data.subarray(0, 4).equals(ZIP_MAGIC)) {
      budget.note(`${virtualPath}: not a ZIP archive`);
      return [];
    }
    return await walkArchive(new BufferSource(data), virtualPath, entry.name, depth, budget);
  } catch (e) {
    if (!isMamoriError(e)) throw e;
    budget.note(`${virtualPath}: ${describe(e)}`);
    return [];
  }
}
