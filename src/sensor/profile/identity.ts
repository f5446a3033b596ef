/**
 * Workload identity: image digest (else image reference) + the argv of the
 * container's first process. Two containers of the same image started with
 * the same command share one profile; a new image digest is a new workload.
 */
import { createHash } from 'node:crypto';
import type { ContainerRef } from '../model/index.js';
import type { WorkloadKey } from './types.js';

const MAX_ARGS = 64;
const MAX_ARG = 1024;
const MAX_IMAGE = 512;

/** `[a-z0-9._-]`, no leading dot or dash, at most `max` characters. */
export function slug(s: string, max = 40): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, max)
    .replace(/[-.]+$/, '');
}

function baseName(p: string): string {
  const parts = p.split('/').filter((x) => x !== '');
  return parts[parts.length - 1] ?? '';
}

/** The readable part of an image reference: last repository component, no tag or digest. */
function imagePart(ref: string | undefined): string {
  if (ref === undefined || ref.startsWith('sha256:')) return '';
  const noDigest = ref.split('@')[0] ?? '';
  const last = baseName(noDigest);
  return last.split(':')[0] ?? '';
}

function commandPart(command: readonly string[]): string {
  const first = baseName(command[0] ?? '');
  const arg = command.slice(1).find((a) => !a.startsWith('-'));
  return arg === undefined ? first : `${first}-${baseName(arg)}`;
}

/** Identity of the workload a container belongs to. Hostile values are bounded, never thrown on. */
export function workloadKey(container: ContainerRef, command: readonly string[]): WorkloadKey {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const image = (str(container.imageDigest) ?? str(container.image) ?? 'unknown').slice(0, MAX_IMAGE);
  const argv = (Array.isArray(command) ? command : [])
    .slice(0, MAX_ARGS)
    .map((a) => (typeof a === 'string' ? a.slice(0, MAX_ARG) : ''));
  const id = createHash('sha256')
    .update(JSON.stringify([image, argv]))
    .digest('hex')
    .slice(0, 16);
  const readable = [slug(imagePart(str(container.image)), 32), slug(commandPart(argv), 40)]
    .filter((p) => p !== '')
    .join('-');
  const name = readable === '' ? `workload-${id.slice(0, 8)}` : `${readable}-${id.slice(0, 8)}`;
  return { image, command: argv, id, name };
}
