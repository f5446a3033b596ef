import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import { conjoin, type ParsedLicense } from './licenses.js';

function declared<L extends Models.License>(l: L): L {
  l.acknowledgement = Enums.LicenseAcknowledgement.Declared;
  return l;
}

/**
 * CycloneDX licence choice for a package's declared licences. CycloneDX
 * allows either a list of ids/names or exactly one expression, so:
 * - any free text present: a list, ids as `id`, everything else (compound
 *   expressions included) as `name`, nothing lost;
 * - only ids CycloneDX knows: a list of `id`s;
 * - otherwise (valid ids and expressions): one expression, joined with AND,
 *   because the licences a package declares all apply to it.
 */
export function cyclonedxLicenses(parsed: readonly ParsedLicense[]): Models.License[] {
  if (parsed.length === 0) return [];
  const hasText = parsed.some((p) => p.spdxId === undefined && p.expression === undefined);
  if (hasText || parsed.every((p) => p.spdxId !== undefined)) {
    return parsed.map((p) =>
      declared(p.spdxId !== undefined ? new Models.SpdxLicense(p.spdxId) : new Models.NamedLicense(p.text)),
    );
  }
  const terms = parsed.map((p) => ({ expression: p.expression ?? p.spdxId ?? '', operator: p.operator }));
  return [declared(new Models.LicenseExpression(conjoin(terms)))];
}
