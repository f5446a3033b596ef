import { defineAccessTests } from './testing-suite.js';
import { openSqliteState } from './testing.js';

defineAccessTests('sqlite', openSqliteState);
