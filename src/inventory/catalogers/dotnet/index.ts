/** .NET cataloger: NuGet packages listed by an application's `*.deps.json`. */
export { dotnetDepsCataloger } from './cataloger.js';
export type { DotnetFact } from './cataloger.js';
export { parseDepsJson } from './deps-json.js';
export type { DotnetEntry } from './deps-json.js';
