import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the counter-based RNG in src/core/rng.ts.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // gpu.js kernels: `this` is the kernel context, written as plain functions.
    files: ['src/backends/gpujs/kernels.ts'],
    rules: { '@typescript-eslint/no-this-alias': 'off' },
  },
);
