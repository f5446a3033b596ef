/**
 * `mamori admission certs|manifests`: what a cluster needs to call mamori's
 * admission webhook — a CA and a serving certificate for the webhook
 * Service, and the ValidatingWebhookConfiguration (and, with --mutating, the
 * MutatingWebhookConfiguration) carrying that CA as `caBundle`.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  createWebhookCertificates,
  renewServingCertificate,
  type ExistingCa,
  DEFAULT_SERVICE_PORT,
  DEFAULT_TIMEOUT_SECONDS,
  MAX_CA_BUNDLE,
  MAX_DAYS,
  parseCaBundle,
  renderWebhookManifests,
  writeCertificateFiles,
  type FailurePolicy,
  type WebhookTarget,
} from '../admission/k8s/index.js';
import { decodeUtf8, MamoriError, readBoundedFile } from '../core/index.js';
import { EXIT_OK, reportError } from './errors.js';
import type { CliIo } from './sbom.js';

const DEFAULT_SERVICE = 'mamori';
const DEFAULT_NAMESPACE = 'mamori';

interface CertsOptions {
  readonly out: string;
  readonly service: string;
  readonly namespace: string;
  readonly days: number;
  readonly dns?: string[];
  readonly force?: boolean;
  readonly renew?: boolean;
}

interface ManifestsOptions {
  readonly service?: string;
  readonly namespace?: string;
  readonly port: number;
  readonly url?: string;
  readonly caBundle?: string;
  readonly name: string;
  readonly failurePolicy: FailurePolicy;
  readonly timeoutSeconds: number;
  readonly mutating?: boolean;
  readonly excludeNamespace?: string[];
}

/** A whole number from `min` to `max` for commander, with the flag's own message. */
function wholeNumber(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function certsCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('certs')
    .description(
      'Create a CA and a serving certificate for the webhook Service (ca.crt, ca.key, tls.crt, tls.key)',
    )
    .requiredOption('-o, --out <dir>', 'directory to write the files to (created, mode 0700, when missing)')
    .option('--service <name>', 'name of the Service in front of mamori server', DEFAULT_SERVICE)
    .option('-n, --namespace <ns>', 'namespace of that Service', DEFAULT_NAMESPACE)
    .option(
      '--days <n>',
      `validity of both certificates in days (1..${MAX_DAYS})`,
      wholeNumber('--days', 1, MAX_DAYS),
      365,
    )
    .option('--dns <name...>', 'extra DNS names or IP addresses for the serving certificate')
    .option('--force', 'replace certificate files that already exist in the directory')
    .option(
      '--renew',
      'keep the CA in the directory (ca.crt, ca.key) and issue a new serving certificate (tls.crt, tls.key) with it',
    )
    .addHelpText(
      'after',
      `
The serving certificate names NAME.NS.svc, NAME.NS.svc.cluster.local, NAME.NS
and NAME (plus --dns), is signed by the new CA (ECDSA P-256) and is valid for
TLS server authentication. Keys are written with mode 0600. The API server
trusts the webhook through ca.crt, which "mamori admission manifests" puts
into the webhook configuration as caBundle; ca.key is needed only to issue
the next certificate: keep it out of the cluster.

Examples:
  mamori admission certs --out ./webhook-tls --service mamori --namespace mamori-system
  kubectl -n mamori-system create secret tls mamori-webhook-tls \\
      --cert ./webhook-tls/tls.crt --key ./webhook-tls/tls.key
  mamori admission certs --out ./tls --days 90 --dns mamori.example.com --dns 10.0.0.12 --force
  mamori admission certs --out ./webhook-tls --renew --days 90   # rotate: caBundle stays valid

With --renew only tls.crt and tls.key are replaced; the new certificate never
outlives the CA, and the webhook configurations need no change.`,
    )
    .action(async (opts: CertsOptions) => {
      try {
        const request = {
          service: opts.service,
          namespace: opts.namespace,
          days: opts.days,
          extraNames: opts.dns ?? [],
        };
        const renew = opts.renew === true;
        const certs = renew
          ? await renewServingCertificate({ ...request, ...(await readExistingCa(opts.out)) })
          : await createWebhookCertificates(request);
        const paths = await writeCertificateFiles(
          opts.out,
          certs,
          renew ? { force: true, only: ['tls.crt', 'tls.key'] } : { force: opts.force === true },
        );
        io.stdout.write(
          [
            renew
              ? `kept ${paths['ca.crt']} and ${paths['ca.key']} (the CA)`
              : `wrote ${paths['ca.crt']} and ${paths['ca.key']} (the CA)`,
            `wrote ${paths['tls.crt']} and ${paths['tls.key']} (the serving certificate)`,
            `  names: ${[...certs.dnsNames, ...certs.ipAddresses].join(', ')}`,
            `  valid until ${certs.notAfter.toISOString()}`,
            'next:',
            `  kubectl -n ${opts.namespace} create secret tls ${opts.service}-webhook-tls --cert ${paths['tls.crt']} --key ${paths['tls.key']}`,
            `  mamori admission manifests --service ${opts.service} --namespace ${opts.namespace} --ca-bundle ${paths['ca.crt']} | kubectl apply -f -`,
            '',
          ].join('\n'),
        );
        setExit(EXIT_OK);
      } catch (e) {
        setExit(reportError(e, io.stderr));
      }
    });
}

/** The CA of an earlier `mamori admission certs` run in `dir`. */
async function readExistingCa(dir: string): Promise<ExistingCa> {
  const read = async (file: string): Promise<string> => {
    const path = join(dir, file);
    const bytes = await readBoundedFile(path, MAX_CA_BUNDLE).catch((e: unknown) => {
      throw e instanceof MamoriError && e.code === 'NOT_FOUND'
        ? new MamoriError('NOT_FOUND', `--renew: ${path}: no such file (run without --renew to make a CA)`)
        : e;
    });
    return decodeUtf8(bytes, path);
  };
  return { caCert: await read('ca.crt'), caKey: await read('ca.key') };
}

async function readCaBundle(path: string): Promise<string> {
  const bytes = await readBoundedFile(path, MAX_CA_BUNDLE).catch((e: unknown) => {
    throw e instanceof MamoriError && e.code === 'NOT_FOUND'
      ? new MamoriError('NOT_FOUND', `--ca-bundle: ${path}: no such file`)
      : e;
  });
  return parseCaBundle(decodeUtf8(bytes, path), path).pem;
}

function target(opts: ManifestsOptions): WebhookTarget {
  if (opts.url !== undefined) {
    if (opts.service !== undefined)
      throw new MamoriError(
        'INVALID_ARGUMENT',
        'give either --service (in the cluster) or --url (outside), not both',
      );
    return { url: opts.url };
  }
  if (opts.service === undefined)
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'give --service NAME --namespace NS (mamori in the cluster) or --url https://HOST:PORT (outside it)',
    );
  if (opts.namespace === undefined)
    throw new MamoriError('INVALID_ARGUMENT', '--service needs --namespace (the namespace of the Service)');
  return { service: opts.service, namespace: opts.namespace, port: opts.port };
}

function manifestsCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('manifests')
    .description(
      'Print the ValidatingWebhookConfiguration (and MutatingWebhookConfiguration) for mamori server',
    )
    .option('--service <name>', 'the Service in front of mamori server (in-cluster)')
    .option('-n, --namespace <ns>', "the Service's namespace; never checked by the webhook itself")
    .option('--port <n>', 'the Service port', wholeNumber('--port', 1, 65535), DEFAULT_SERVICE_PORT)
    .option('--url <https-url>', 'where the API server reaches mamori outside the cluster, https://HOST:PORT')
    .option('--ca-bundle <file>', 'PEM of the CA that signed the serving certificate (ca.crt)')
    .option('--name <name>', 'metadata.name of the configurations', 'mamori')
    .addOption(
      new Option('--failure-policy <policy>', 'what the API server does when mamori does not answer')
        .choices(['Fail', 'Ignore'])
        .default('Fail'),
    )
    .option(
      '--timeout-seconds <n>',
      'seconds the API server waits for a decision (1..30)',
      wholeNumber('--timeout-seconds', 1, 30),
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option(
      '--mutating',
      'also a MutatingWebhookConfiguration that pins image tags to digests (/admission/mutate)',
    )
    .option(
      '--exclude-namespace <ns...>',
      'more namespaces the webhook leaves alone (kube-system and --namespace always are)',
    )
    .addHelpText(
      'after',
      `
The webhook sees CREATE and UPDATE of pods (and their ephemeral containers),
deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs and
replicationcontrollers, with sideEffects NoneOnDryRun (mamori records
decisions in its audit log, but not for dry runs) and matchPolicy
Equivalent. failurePolicy Fail (the default) blocks workloads while mamori is
unreachable; Ignore lets them through unchecked.

Examples:
  mamori admission manifests --service mamori --namespace mamori-system \\
      --ca-bundle ./webhook-tls/ca.crt | kubectl apply -f -
  mamori admission manifests --service mamori -n mamori-system --port 8443 --ca-bundle ca.crt \\
      --mutating --exclude-namespace monitoring --timeout-seconds 5 > webhooks.yaml
  mamori admission manifests --url https://mamori.example.com:8443 --ca-bundle ca.crt --failure-policy Ignore`,
    )
    .action(async (opts: ManifestsOptions) => {
      try {
        const t = target(opts);
        if (opts.caBundle === undefined)
          throw new MamoriError(
            'INVALID_ARGUMENT',
            '--ca-bundle FILE is required (the ca.crt written by "mamori admission certs")',
          );
        const caBundle = await readCaBundle(opts.caBundle);
        io.stdout.write(
          renderWebhookManifests({
            target: t,
            caBundle,
            name: opts.name,
            failurePolicy: opts.failurePolicy,
            timeoutSeconds: opts.timeoutSeconds,
            mutating: opts.mutating === true,
            // Out of the cluster, --namespace still names mamori's namespace to leave alone.
            excludeNamespaces: [
              ...('url' in t && opts.namespace !== undefined ? [opts.namespace] : []),
              ...(opts.excludeNamespace ?? []),
            ],
          }),
        );
        setExit(EXIT_OK);
      } catch (e) {
        setExit(reportError(e, io.stderr));
      }
    });
}

export function admissionCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('admission')
    .description(
      "Set up Kubernetes to call mamori's admission webhook (TLS certificates, webhook configurations)",
    )
    .addCommand(certsCommand(io, setExit))
    .addCommand(manifestsCommand(io, setExit))
    .addHelpText(
      'after',
      `
Examples:
  mamori admission certs --out ./webhook-tls --service mamori --namespace mamori-system
  mamori admission manifests --service mamori --namespace mamori-system --ca-bundle ./webhook-tls/ca.crt`,
    );
}
