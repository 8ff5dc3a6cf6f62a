import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad arguments: exit 2 with one line that says what is wrong. */
export class UsageError extends Error {}

/** The command ran but failed for a reason the user can fix (bad config, unknown unit): exit 1. */
export class CommandFailed extends Error {
  constructor(message: string, readonly details: readonly string[] = []) {
    super(message);
  }
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Help text after the usage line: options and examples. */
  readonly help: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly positionals?: { min: number; max: number };
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[] }, io: Io): Promise<number>;
}

export function parseCommandArgs(command: Command, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(translateParseError((e as Error).message));
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (!parsed.values.help && (parsed.positionals.length < min || parsed.positionals.length > max)) {
    throw new UsageError(
      parsed.positionals.length > max
        ? `thừa tham số "${parsed.positionals.slice(max).join(' ')}" (extra argument)`
        : `thiếu tham số (missing argument): ${command.usage}`,
    );
  }
  return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

function translateParseError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `không có tùy chọn ${unknown[1]} (unknown option)`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `tùy chọn ${missing[1]} cần một giá trị (option needs a value)`;
  return message.split('\n')[0] ?? message;
}

/** Width of a string in terminal columns, counting code points of NFC text. */
export function displayWidth(text: string): number {
  return [...text.normalize('NFC')].length;
}

export function truncate(text: string, width: number): string {
  const chars = [...text.normalize('NFC')];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** A plain-text table: header, a rule, rows; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - displayWidth(c)))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
