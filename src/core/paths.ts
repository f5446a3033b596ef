/** Filesystem conventions shared by the image checks, drift detection and runtime detections. */

/** Where shells look for commands whatever PATH says; only root (or a package manager) puts programs there. */
export const SYSTEM_BIN_DIRS: readonly string[] = [
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
];
