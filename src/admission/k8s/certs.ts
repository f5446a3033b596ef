/**
 * TLS material for the admission webhook: a private CA (ECDSA P-256, self
 * signed, `CA:TRUE, pathlen:0`) and a serving certificate it signs for the
 * webhook Service (`NAME.NS.svc` and its other in-cluster names, plus any
 * extra DNS names or IP addresses) with the `serverAuth` extended key
 * usage — what the API server needs to call the webhook, with the CA's PEM
 * as the configuration's `caBundle`. Certificates are built with PKI.js over
 * WebCrypto (Node's own crypto cannot issue X.509 certificates) and checked
 * with Node's X509Certificate before they are returned.
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  randomBytes,
  webcrypto,
} from 'node:crypto';
import { isIP, isIPv4 } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MamoriError } from '../../core/index.js';
import { serviceDnsNames, splitNames } from './names.js';

export interface CertificateOptions {
  /** The webhook's Service name. */
  readonly service: string;
  readonly namespace: string;
  /** Validity of both certificates, in days (1..3650). */
  readonly days: number;
  /** Extra DNS names or IP addresses for the serving certificate. */
  readonly extraNames?: readonly string[];
  /** The issuing time (default now). */
  readonly now?: Date;
}

export interface WebhookCertificates {
  /** PEM of the CA certificate: the webhook configuration's `caBundle`. */
  readonly caCert: string;
  /** PEM (PKCS#8) of the CA's private key. */
  readonly caKey: string;
  /** PEM of the serving certificate. */
  readonly tlsCert: string;
  /** PEM (PKCS#8) of the serving certificate's private key. */
  readonly tlsKey: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;
const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
/** Certificates start this much before now, for clocks that lag. */
const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
export const MAX_DAYS = 3650;

type KeyPair = { readonly privateKey: webcrypto.CryptoKey; readonly publicKey: webcrypto.CryptoKey };

function name(cn: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: cn }) }),
    ],
  });
}

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(d: Date): pkijs.Time {
  return new pkijs.Time({ type: d.getUTCFullYear() < 2050 ? 0 : 1, value: d });
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** A DER BIT STRING of KeyUsage bits (bit 0 = digitalSignature … bit 6 = cRLSign). */
function keyUsage(bits: readonly number[]): asn1js.BitString {
  let byte = 0;
  for (const b of bits) byte |= 0x80 >> b;
  // Trailing zero bits are not encoded (DER): count them from the lowest bit up.
  let zeros = 0;
  while (zeros < 7 && ((byte >> zeros) & 1) === 0) zeros++;
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits: zeros });
}

/** IPv4 (4 bytes) or IPv6 (16 bytes, `::` and an embedded IPv4 tail allowed). */
export function ipBytes(ip: string): Uint8Array {
  if (isIPv4(ip)) return new Uint8Array(ip.split('.').map(Number));
  if (isIP(ip) !== 6 || ip.includes('%'))
    throw new MamoriError('INVALID_ARGUMENT', `not an IP address: ${JSON.stringify(ip.slice(0, 80))}`);
  let text = ip.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1] !== undefined) {
    const b = tail[1].split('.').map(Number);
    text = `${text.slice(0, -tail[1].length)}${(((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16)}:${(((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) throw new MamoriError('INVALID_ARGUMENT', `not an IP address: ${ip}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

function keyId(spki: pkijs.PublicKeyInfo): ArrayBuffer {
  // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
  const digest = createHash('sha1')
    .update(new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView))
    .digest();
  return new Uint8Array(digest).buffer;
}

/** A positive 128-bit serial number (RFC 5280: at most 20 octets, positive). */
function serial(): asn1js.Integer {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return new asn1js.Integer({ valueHex: new Uint8Array(b).buffer });
}

interface IssueOptions {
  readonly subject: string;
  readonly keys: KeyPair;
  readonly issuer:
    | {
        readonly name: pkijs.RelativeDistinguishedNames;
        readonly keys: Pick<KeyPair, 'privateKey'>;
        readonly keyId: ArrayBuffer;
      }
    | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly engine: pkijs.ICryptoEngine;
}

async function issue(o: IssueOptions): Promise<{ pem: string; keyId: ArrayBuffer }> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = serial();
  cert.subject = name(o.subject);
  cert.issuer = o.issuer?.name ?? name(o.subject);
  cert.notBefore = time(o.notBefore);
  cert.notAfter = time(o.notAfter);
  await cert.subjectPublicKeyInfo.importKey(o.keys.publicKey, o.engine);
  const ski = keyId(cert.subjectPublicKeyInfo);
  const aki = o.issuer?.keyId ?? ski;
  const extensions = [
    extension(
      OID.basicConstraints,
      true,
      new pkijs.BasicConstraints(o.ca ? { cA: true, pathLenConstraint: 0 } : {}).toSchema(),
    ),
    // CA: digitalSignature, keyCertSign, cRLSign; server: digitalSignature (ECDSA signs the handshake).
    extension(OID.keyUsage, true, keyUsage(o.ca ? [0, 5, 6] : [0])),
    extension(OID.subjectKeyId, false, new asn1js.OctetString({ valueHex: ski })),
    extension(
      OID.authorityKeyId,
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: aki }),
      }).toSchema(),
    ),
  ];
  if (!o.ca) {
    extensions.push(
      extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] }).toSchema()),
    );
    extensions.push(
      extension(
        OID.subjectAltName,
        false,
        new pkijs.AltName({
          altNames: [
            ...o.dnsNames.map((value) => new pkijs.GeneralName({ type: 2, value })),
            ...o.ipAddresses.map(
              (ip) =>
                new pkijs.GeneralName({
                  type: 7,
                  value: new asn1js.OctetString({ valueHex: ipBytes(ip).slice().buffer }),
                }),
            ),
          ],
        }).toSchema(),
      ),
    );
  }
  cert.extensions = extensions;
  await cert.sign((o.issuer?.keys ?? o.keys).privateKey, 'SHA-256', o.engine);
  const der = Buffer.from(cert.toSchema(true).toBER(false));
  return { pem: pem('CERTIFICATE', der), keyId: ski };
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

function exportKey(k: webcrypto.CryptoKey): string {
  return KeyObject.from(k).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** What both a new and a renewed serving certificate are made of: names, validity, the engine. */
interface Plan {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly subject: string;
  readonly now: Date;
  readonly notBefore: Date;
  /** The end of the requested validity. */
  readonly notAfter: Date;
  readonly engine: pkijs.ICryptoEngine;
}

/** Validates the request (MamoriError on a bad name, validity or time) and plans the certificates. */
function plan(opts: CertificateOptions): Plan {
  if (!Number.isSafeInteger(opts.days) || opts.days < 1 || opts.days > MAX_DAYS)
    throw new MamoriError('INVALID_ARGUMENT', `--days must be a whole number from 1 to ${MAX_DAYS}`);
  const extra = splitNames(opts.extraNames ?? []);
  const dnsNames = [...new Set([...serviceDnsNames(opts.service, opts.namespace), ...extra.dnsNames])];
  const now = opts.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw new MamoriError('INVALID_ARGUMENT', 'invalid issuing time');
  return {
    dnsNames,
    ipAddresses: extra.ipAddresses,
    // A common name has at most 64 characters (RFC 5280 ub-common-name); clients match SANs anyway.
    subject: (dnsNames[0] ?? '').length <= 64 ? (dnsNames[0] ?? opts.service) : opts.service,
    now,
    notBefore: new Date(Math.floor((now.getTime() - BACKDATE_MS) / 1000) * 1000),
    notAfter: new Date(Math.floor((now.getTime() + opts.days * DAY_MS) / 1000) * 1000),
    engine: new pkijs.CryptoEngine({
      name: 'node',
      crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'],
    }),
  };
}

const generateKeys = async (): Promise<KeyPair> =>
  (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as KeyPair;

/**
 * Creates a CA and a serving certificate for the webhook Service
 * `service.namespace.svc` (with `.svc.cluster.local`, `service.namespace`,
 * `service` and the extra names as SANs). Throws MamoriError on a bad name or
 * validity.
 */
export async function createWebhookCertificates(opts: CertificateOptions): Promise<WebhookCertificates> {
  const { dnsNames, ipAddresses, subject, notBefore, notAfter, engine } = plan(opts);
  const caKeys = await generateKeys();
  const tlsKeys = await generateKeys();
  const caName = 'mamori admission CA';
  const ca = await issue({
    subject: caName,
    keys: caKeys,
    issuer: undefined,
    notBefore,
    notAfter,
    ca: true,
    dnsNames: [],
    ipAddresses: [],
    engine,
  });
  const leaf = await issue({
    subject,
    keys: tlsKeys,
    issuer: { name: name(caName), keys: caKeys, keyId: ca.keyId },
    notBefore,
    notAfter,
    ca: false,
    dnsNames,
    ipAddresses,
    engine,
  });
  // Check the result with an independent X.509 implementation before anyone relies on it.
  const caX = new X509Certificate(ca.pem);
  const leafX = new X509Certificate(leaf.pem);
  if (!caX.ca || !caX.verify(caX.publicKey) || !leafX.verify(caX.publicKey) || !leafX.checkIssued(caX))
    throw new MamoriError('INTERNAL', 'the generated certificates do not verify');
  return {
    caCert: ca.pem,
    caKey: exportKey(caKeys.privateKey),
    tlsCert: leaf.pem,
    tlsKey: exportKey(tlsKeys.privateKey),
    dnsNames,
    ipAddresses,
    notBefore,
    notAfter,
  };
}

/** The CA that signs a renewed serving certificate (the PEM files `ca.crt` and `ca.key`). */
export interface ExistingCa {
  readonly caCert: string;
  readonly caKey: string;
}

function caProblem(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `cannot renew with the existing CA: ${message}`);
}

/**
 * Issues a new serving certificate signed by an existing CA (one made by
 * createWebhookCertificates, or any ECDSA P-256 CA): the webhook
 * configurations' `caBundle` stays valid, so only the Service's TLS secret
 * changes. The CA must be a CA, its key must be the certificate's, and the
 * new certificate never outlives it. The CA is returned unchanged.
 */
export async function renewServingCertificate(
  opts: CertificateOptions & ExistingCa,
): Promise<WebhookCertificates> {
  const { dnsNames, ipAddresses, subject, now, notBefore, notAfter: wanted, engine } = plan(opts);
  let caX: X509Certificate;
  let caKey: KeyObject;
  try {
    caX = new X509Certificate(opts.caCert);
  } catch {
    throw caProblem('ca.crt is not a PEM certificate');
  }
  try {
    caKey = createPrivateKey(opts.caKey);
  } catch {
    throw caProblem('ca.key is not a PEM private key');
  }
  if (!caX.ca) throw caProblem('ca.crt is not a CA certificate');
  if (caKey.asymmetricKeyType !== 'ec' || caKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw caProblem('ca.key is not an ECDSA P-256 key');
  const spki = (k: KeyObject): Buffer => k.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(caKey)).equals(spki(caX.publicKey)))
    throw caProblem('ca.key does not belong to ca.crt');
  const caEnd = new Date(caX.validTo);
  if (caEnd.getTime() <= now.getTime() + DAY_MS)
    throw caProblem(`the CA expires ${caEnd.toISOString()}; make a new CA (without --renew)`);
  const notAfter = wanted.getTime() < caEnd.getTime() ? wanted : caEnd;
  const ca = pkijs.Certificate.fromBER(new Uint8Array(caX.raw));
  const ski = ca.extensions?.find((e) => e.extnID === OID.subjectKeyId)?.parsedValue as
    asn1js.OctetString | undefined;
  const caKeyId = ski ? ski.valueBlock.valueHexView.slice().buffer : keyId(ca.subjectPublicKeyInfo);
  const signer = await webcrypto.subtle.importKey(
    'pkcs8',
    caKey.export({ type: 'pkcs8', format: 'der' }),
    EC,
    false,
    ['sign'],
  );
  const tlsKeys = await generateKeys();
  const leaf = await issue({
    subject,
    keys: tlsKeys,
    issuer: { name: ca.subject, keys: { privateKey: signer }, keyId: caKeyId },
    notBefore,
    notAfter,
    ca: false,
    dnsNames,
    ipAddresses,
    engine,
  });
  const leafX = new X509Certificate(leaf.pem);
  if (!leafX.verify(caX.publicKey) || !leafX.checkIssued(caX))
    throw new MamoriError('INTERNAL', 'the renewed certificate does not verify against the CA');
  return {
    caCert: opts.caCert,
    caKey: opts.caKey,
    tlsCert: leaf.pem,
    tlsKey: exportKey(tlsKeys.privateKey),
    dnsNames,
    ipAddresses,
    notBefore,
    notAfter,
  };
}
