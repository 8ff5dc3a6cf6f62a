import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The fault suite (`npm run test:faults`): real `hanchot` processes from dist/ against private
 * PostgreSQL and Redis servers it stops, kills and flushes. Each scenario has its own servers and
 * sink, so two run side by side (the machine has two cores; most of the time is waiting).
 */
export default defineConfig({
  test: {
    root,
    name: 'faults',
    include: ['test/faults/**/*.faults.ts'],
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // The figure lines go straight to stdout, so CI logs show them.
    silent: false,
  },
});
