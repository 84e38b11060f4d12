/**
 * Writes test/network/csr-hashes.json, the reference that test/network/csr-hashes.test.ts checks the network builder
 * against: `npx tsx test/network/write-csr-hashes.ts`. Run it only when a change to the synapses a seed gives is
 * intended (see csr-cases.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeHashes } from './csr-cases.ts';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'csr-hashes.json');
writeFileSync(file, JSON.stringify(computeHashes(), null, 2) + '\n');
process.stdout.write(`wrote ${file}\n`);
