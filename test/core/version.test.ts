import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PURKINJE_VERSION } from '../../src/core/version.ts';

describe('PURKINJE_VERSION', () => {
  it("is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(PURKINJE_VERSION).toBe(pkg.version);
  });
});
