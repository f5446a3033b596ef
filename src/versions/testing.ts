/**
 * Test support (excluded from the build): the real version comparers of
 * each ecosystem, run once per batch of pairs, and order-law checks.
 *
 * Debian packages: dpkg, rpm, python3-packaging, ruby, libmaven3-core-java
 * with default-jdk-headless, golang-go with golang-golang-x-mod-dev,
 * php-cli with php-composer-semver.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';

export type Pair = readonly [string, string];

/** Runs a program with `input` on stdin; its stdout, or a rejection naming what failed. */
export function run(
  cmd: string,
  args: readonly string[],
  input: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) =>
      reject(new Error(`${cmd} could not run (is its Debian package installed?): ${e.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${cmd} exited ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-versions-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

function requireFile(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
}

/**
 * `dpkg --compare-versions` for each pair: -1, 0, 1, or 'error' where dpkg
 * refuses a version. One shell runs every comparison.
 */
export async function dpkgCompare(pairs: readonly Pair[]): Promise<(number | 'error')[]> {
  const script = `
while IFS= read -r -d '' a && IFS= read -r -d '' b; do
  dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?
  if [ $r = 0 ]; then echo -1; continue; elif [ $r != 1 ]; then echo error; continue; fi
  dpkg --compare-versions "$a" eq "$b" 2>/dev/null; r=$?
  if [ $r = 0 ]; then echo 0; elif [ $r = 1 ]; then echo 1; else echo error; fi
done`;
  const input = pairs.map(([a, b]) => `${a}\0${b}\0`).join('');
  return lines(await run('bash', ['-c', script], input)).map((l) => (l === 'error' ? 'error' : Number(l)));
}

/**
 * rpm's own comparisons through its Lua interpreter, all pairs in one run:
 * `rpm.vercmp` (which parses both sides as EVRs, so it is rpmvercmp for
 * strings without `-` or `:`) or `rpm.ver` objects (epoch:version-release).
 * Versions must not hold tabs or newlines.
 */
export async function rpmCompare(pairs: readonly Pair[], mode: 'vercmp' | 'evr'): Promise<number[]> {
  return withTemp(async (dir) => {
    const file = join(dir, 'pairs');
    await writeFile(file, pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
    const cmp =
      mode === 'vercmp'
        ? 'rpm.vercmp(a, b)'
        : '(function() local x, y = rpm.ver(a), rpm.ver(b); if x < y then return -1 elseif x == y then return 0 else return 1 end end)()';
    const lua = `%{lua: local out = {}
for line in io.lines(rpm.expand("%{_mamori_pairs}")) do
  local a, b = line:match("^([^\\t]*)\\t([^\\t]*)$")
  out[#out + 1] = tostring(${cmp})
end
print(table.concat(out, "\\n"))}`;
    const stdout = await run('rpm', ['--define', `_mamori_pairs ${file}`, '--eval', lua], '');
    return lines(stdout).map(Number);
  });
}

/** One JSON-lines program per tool: reads `[a, b]` lines, prints the sign or null (invalid). */
async function jsonTool(
  cmd: string,
  args: readonly string[],
  pairs: readonly Pair[],
): Promise<(number | null)[]> {
  const out = await run(cmd, args, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return lines(out).map((l) => JSON.parse(l) as number | null);
}

/** packaging.version.Version (python3-packaging): sign, or null when either side is invalid. */
export function pep440Compare(pairs: readonly Pair[]): Promise<(number | null)[]> {
  const py = `
import json, sys
from packaging.version import Version, InvalidVersion
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None
for line in sys.stdin:
    a, b = json.loads(line)
    x, y = parse(a), parse(b)
    print("null" if x is None or y is None else (x > y) - (x < y))
`;
  return jsonTool('/usr/bin/python3', ['-c', py], pairs);
}

/** Gem::Version#<=> (ruby): sign, or null when either side is malformed. */
export function gemCompare(pairs: readonly Pair[]): Promise<(number | null)[]> {
  const rb = `
require "json"
STDIN.each_line do |line|
  a, b = JSON.parse(line)
  if Gem::Version.correct?(a) && Gem::Version.correct?(b)
    puts(Gem::Version.new(a) <=> Gem::Version.new(b))
  else
    puts "null"
  end
end
`;
  return jsonTool('ruby', ['-e', rb], pairs);
}

export const MAVEN_ARTIFACT_JAR = '/usr/share/java/maven3-artifact.jar';

/** Maven's ComparableVersion (libmaven3-core-java), run as a single-file Java program. */
export async function mavenCompare(pairs: readonly Pair[]): Promise<number[]> {
  requireFile(MAVEN_ARTIFACT_JAR, 'libmaven3-core-java');
  return withTemp(async (dir) => {
    const src = join(dir, 'Cmp.java');
    await writeFile(
      src,
      `import org.apache.maven.artifact.versioning.ComparableVersion;
import java.io.*;
import java.nio.charset.StandardCharsets;
public class Cmp {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
    String a;
    while ((a = in.readLine()) != null) {
      String b = in.readLine();
      out.println(Integer.signum(new ComparableVersion(a).compareTo(new ComparableVersion(b))));
    }
    out.flush();
  }
}
`,
    );
    const input = pairs.map(([a, b]) => `${a}\n${b}\n`).join('');
    const stdout = await run('java', ['-cp', MAVEN_ARTIFACT_JAR, src], input);
    return lines(stdout).map(Number);
  });
}

/** golang.org/x/mod/semver.Compare (golang-golang-x-mod-dev), built offline in GOPATH mode. */
export async function goSemverCompare(pairs: readonly Pair[]): Promise<number[]> {
  requireFile('/usr/share/gocode/src/golang.org/x/mod/semver/semver.go', 'golang-golang-x-mod-dev');
  return withTemp(async (dir) => {
    const pkg = join(dir, 'src', 'cmp');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, 'main.go'),
      `package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var p [2]string
		if err := json.Unmarshal(in.Bytes(), &p); err != nil {
			panic(err)
		}
		fmt.Fprintln(out, semver.Compare(p[0], p[1]))
	}
}
`,
    );
    const env = {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: `${dir}:/usr/share/gocode`,
      GOCACHE: join(dir, 'cache'),
      GOPROXY: 'off',
      GOFLAGS: '',
    };
    const bin = join(dir, 'cmp-bin');
    await run('go', ['build', '-o', bin, 'cmp'], '', env);
    const stdout = await run(bin, [], pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    return lines(stdout).map(Number);
  });
}

/**
 * Checks that `compare` is a total preorder on `values`: antisymmetric, and
 * after sorting, every later value is greater or equal and equal values are
 * adjacent (which with antisymmetry is transitivity).
 */
export function assertTotalPreorder(
  compare: (a: string, b: string) => number,
  values: readonly string[],
): void {
  const sgn = (a: string, b: string) => Math.sign(compare(a, b));
  for (const a of values) {
    assert.equal(sgn(a, a), 0, `not reflexive: ${JSON.stringify(a)}`);
    for (const b of values) {
      assert.equal(sgn(a, b), -sgn(b, a) || 0, `not antisymmetric: ${JSON.stringify([a, b])}`);
    }
  }
  const sorted = [...values].sort(compare);
  for (let i = 0; i < sorted.length; i++) {
    let seenLess = false;
    for (let j = i + 1; j < sorted.length; j++) {
      const c = sgn(sorted[i]!, sorted[j]!);
      const msg = JSON.stringify([sorted[i], sorted[j]]);
      assert.ok(c <= 0, `not transitive: sorted ${msg} compare ${c}`);
      if (c < 0) seenLess = true;
      else assert.ok(!seenLess, `not transitive: equal values apart in ${msg}`);
    }
  }
}

/** Pairs each value with the next `span` values, and with itself. */
export function neighbourPairs(values: readonly string[], span = 8): Pair[] {
  const pairs: Pair[] = [];
  for (let i = 0; i < values.length; i++) {
    pairs.push([values[i]!, values[i]!]);
    for (let j = i + 1; j <= i + span && j < values.length; j++) pairs.push([values[i]!, values[j]!]);
  }
  return pairs;
}

/** Asserts mamori's sign equals the native sign for every pair, listing the first mismatches. */
export function assertSameSigns(
  pairs: readonly Pair[],
  ours: (a: string, b: string) => number,
  native: readonly (number | null | 'error')[],
  label: string,
  skip: (n: number | null | 'error') => boolean = () => false,
): number {
  assert.equal(native.length, pairs.length, 'the native tool answered every pair');
  const bad: string[] = [];
  let checked = 0;
  pairs.forEach(([a, b], i) => {
    const n = native[i]!;
    if (skip(n)) return;
    checked++;
    const m = Math.sign(ours(a, b));
    if (m !== n) bad.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: native ${n}, mamori ${m}`);
  });
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${pairs.length} pairs differ (${label})`);
  return checked;
}

/**
 * Samples `n` values of `arb` with a fresh seed (printed by the caller's
 * assertion messages through `label`), so every run explores new inputs and
 * a failure can be replayed with MAMORI_VERSIONS_SEED.
 */
export function sample<T>(arb: fc.Arbitrary<T>, n: number): { values: T[]; label: string } {
  const seed = process.env.MAMORI_VERSIONS_SEED
    ? Number(process.env.MAMORI_VERSIONS_SEED)
    : Date.now() ^ process.pid;
  return { values: fc.sample(arb, { numRuns: n, seed }), label: `seed ${seed}` };
}

/** Strings made of `tokens`, one to `max` of them. */
export function tokens(list: readonly string[], max = 8): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...list), { minLength: 1, maxLength: max }).map((t) => t.join(''));
}

const COMPOSER_SEMVER = '/usr/share/php/Composer/Semver/autoload.php';

/**
 * PHP (php-cli) with Composer's own VersionParser (php-composer-semver):
 * `normalize` gives each value's normalised form (null where Composer
 * throws); `version_compare` compares raw strings with PHP's function.
 */
export async function phpVersions(mode: 'normalize', values: readonly string[]): Promise<(string | null)[]>;
export async function phpVersions(mode: 'version_compare', pairs: readonly Pair[]): Promise<number[]>;
export async function phpVersions(
  mode: 'normalize' | 'version_compare',
  items: readonly (string | Pair)[],
): Promise<(string | number | null)[]> {
  requireFile(COMPOSER_SEMVER, 'php-composer-semver');
  const php = `
require '${COMPOSER_SEMVER}';
$parser = new Composer\\Semver\\VersionParser();
while (($line = fgets(STDIN)) !== false) {
  $item = json_decode($line, true);
  if ('${mode}' === 'normalize') {
    try { $r = $parser->normalize($item); } catch (Exception $e) { $r = null; }
  } else {
    $r = version_compare($item[0], $item[1]);
  }
  echo json_encode($r), "\\n";
}`;
  const out = await run('php', ['-r', php], items.map((i) => JSON.stringify(i)).join('\n') + '\n');
  return lines(out).map((l) => JSON.parse(l) as string | number | null);
}
