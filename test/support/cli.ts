import { runCli } from '../../src/main/cli.js';

/** Runs one CLI invocation in this process and captures what it printed. */
export async function runCapture(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
