/**
 * Test support: the root filesystem of the real Debian 12 test image
 * (mmdebstrap minbase + python3-requests + skopeo, see images.ts), built once
 * per machine into the shared test cache.
 */
import { debianImage } from './images.js';

/** Path of the unpacked Debian 12 root filesystem of the test image. */
export async function debianRootfs(): Promise<string> {
  return (await debianImage()).rootfs;
}
