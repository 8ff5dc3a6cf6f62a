#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDomainError } from '../domain/errors.js';
import { CommandFailed, parseCommandArgs, UsageError, type Command, type Io } from './cli-kit.js';
import { packageVersion } from './context.js';
import { calendarCommand } from './commands/calendar.js';
import { previewCommand } from './commands/preview.js';
import { validateCommand } from './commands/validate.js';
import { migrateCommand } from './commands/migrate.js';
import { syncCommand } from './commands/sync.js';
import { apiCommand, startCommand, workerCommand } from './commands/start.js';
import { remindCommand } from './commands/remind.js';
import { feedCommand } from './commands/feed.js';
import { doctorCommand } from './commands/doctor.js';
import { extractCommand, importCommand } from './commands/extract.js';
import { tokenCommand, userCommand } from './commands/access.js';
import { doneCommand, extensionCommand, reopenCommand, reportCommand, waiveCommand } from './commands/follow-up.js';

export const COMMANDS: readonly Command[] = [
  startCommand,
  workerCommand,
  apiCommand,
  previewCommand,
  calendarCommand,
  validateCommand,
  extractCommand,
  importCommand,
  migrateCommand,
  syncCommand,
  remindCommand,
  doneCommand,
  reopenCommand,
  waiveCommand,
  extensionCommand,
  reportCommand,
  feedCommand,
  userCommand,
  tokenCommand,
  doctorCommand,
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'hanchot — Hạn Chót: nhắc hạn các nhiệm vụ trong văn bản công đoàn',
    '',
    'Cách dùng: hanchot <lệnh> [tùy chọn]   (hanchot <lệnh> --help để xem chi tiết)',
    '',
    'Lệnh:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    '  --help, -h     trợ giúp',
    '  --version      phiên bản',
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failed, 2 bad arguments). */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? commandHelp(topic) : mainHelp());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(packageVersion());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`không có lệnh "${name}" (unknown command); các lệnh: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const args = parseCommandArgs(command, [...rest]);
    if (args.values.help) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`hanchot${command ? ` ${command.name}` : ''}: ${e.message}. Xem: hanchot ${command ? `${command.name} ` : ''}--help`);
      return 2;
    }
    if (e instanceof CommandFailed) {
      io.err(`hanchot ${command?.name ?? ''}: ${e.message}`);
      for (const line of e.details) io.err(`  ${line}`);
      return 1;
    }
    if (isDomainError(e)) {
      io.err(`hanchot ${command?.name ?? ''}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function commandHelp(c: Command): string {
  return `${c.summary}\n\nCách dùng: ${c.usage}\n\n${c.help}`;
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  const io: Io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`hanchot: lỗi không mong đợi (unexpected error): ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
