import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  test: {
    root,
    projects: [
      {
        test: {
          name: 'unit',
          root,
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/**/*.cli.test.ts', 'node_modules/**'],
          // Unit tests run with every clock read made to throw: see the setup file.
          setupFiles: ['test/support/forbid-clock.ts'],
          // The property tests run thousands of cases: on a busy 2-core machine 5 s is not a bound on anything.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          root,
          include: ['test/**/*.int.test.ts', 'test/**/*.cli.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
