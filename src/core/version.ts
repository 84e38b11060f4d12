/**
 * The purkinje version (package.json's `version`; test/core/version.test.ts keeps them equal). Sweeps key their runs
 * with it, so results computed by another version are never mistaken for this one's.
 */
export const PURKINJE_VERSION = '0.1.0';
