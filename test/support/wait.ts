/** Polls `probe` every 100 ms until it returns something other than undefined/false. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Cleanups registered by a test, run in reverse order after it (register with `cleanups.push`). */
export function cleanupList(): { readonly cleanups: (() => Promise<unknown>)[]; runAll(): Promise<void> } {
  const cleanups: (() => Promise<unknown>)[] = [];
  return {
    cleanups,
    async runAll() {
      while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
    },
  };
}
