import { userInfo } from 'node:os';
import { BullmqJobQueue } from '../../adapters/bullmq/bullmq-queue.js';
import { PostgresStore } from '../../adapters/postgres/store.js';
import { redisAnswers } from '../../adapters/redis/private-redis.js';
import {
  AssignmentError,
  completeAssignment,
  decideExtension,
  describeStatus,
  reopenAssignment,
  requestExtension,
  resolveAssignment,
  waiveAssignment,
  type AssignmentDeps,
} from '../../app/assignments.js';
import type { JobQueue } from '../../app/job-queue.js';
import { buildReport, type Report } from '../../app/report.js';
import type { AssignmentView, ExtensionRequest } from '../../app/stores.js';
import { formatVnDate, formatVnDateWithWeekday } from '../../domain/civil-date.js';
import { localDateOf } from '../../domain/instant.js';
import { CommandFailed, table, UsageError, type Command, type Io } from '../cli-kit.js';
import { loadConfig } from '../context.js';
import { DEFAULT_REDIS_URL, openRecord, QUEUE_RETRIES, redisConnection } from '../service.js';
import { CONFIG_HELP, configOption, dateOption } from './shared-options.js';
import { ENV_HELP, runtime } from './runtime.js';

interface Opened {
  readonly deps: AssignmentDeps & { readonly store: PostgresStore };
  close(): Promise<void>;
}

/** The record, and the queue if Redis answers (timers then move at once; otherwise the next planner run moves them). */
async function open(values: Record<string, string | boolean | undefined>, io: Io): Promise<Opened> {
  const { env, logger, clock } = runtime({ config: values.config as string | undefined });
  const loaded = await loadConfig(env.HANCHOT_CONFIG_DIR);
  const db = await openRecord(env, logger, clock);
  const store = new PostgresStore(db);
  const url = env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const queue = (await redisAnswers(url)) ? new BullmqJobQueue({ connection: redisConnection(url), prefix: env.HANCHOT_QUEUE_PREFIX, clock, retries: QUEUE_RETRIES }) : undefined;
  const offline: Pick<JobQueue, 'requestPlan'> = {
    requestPlan: async () => io.err('Redis không trả lời: lịch nhắc và chuyển cấp sẽ được lập lại ở lượt lập lịch kế tiếp của dịch vụ.'),
  };
  return {
    deps: { store, queue: queue ?? offline, clock, calendar: loaded.calendar, logger },
    async close() {
      await queue?.close();
      await db.close();
    },
  };
}

/** Who did it, for the audit log: --by, else the operating-system user. */
export const actorOf = (values: Record<string, string | boolean | undefined>) => `cli:${typeof values.by === 'string' && values.by.trim() ? values.by.trim() : safeUser()}`;

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'admin';
  }
}

function text(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const v = values[name];
  if (typeof v === 'boolean') throw new UsageError(`--${name} cần một giá trị`);
  return v;
}

/** `<obligation> --unit U [--occurrence K]`, or the full "obligation|occurrence|unit" the API and audit log show. */
async function target(deps: Opened['deps'], positional: string, values: Record<string, string | boolean | undefined>): Promise<AssignmentView> {
  const parts = positional.split('|');
  if (parts.length === 3) return resolveAssignment(deps.store, { obligationId: parts[0]!, occurrenceKey: parts[1]!, unitId: parts[2]! });
  const unitId = text(values, 'unit');
  if (!unitId) throw new UsageError('cần --unit ID (đơn vị đã hoàn thành)');
  return resolveAssignment(deps.store, { obligationId: positional, unitId, occurrenceKey: text(values, 'occurrence') });
}

const describe = (a: AssignmentView) =>
  `${a.unitName} — ${a.title} (kỳ ${a.occurrenceKey}, hạn ${formatVnDateWithWeekday(a.due)}${a.due !== a.occurrenceDue ? ', đã gia hạn' : ''})`;

async function guarded(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof AssignmentError) throw new CommandFailed(e.message);
    throw e;
  }
}

const assignmentOptions = { unit: { type: 'string' as const }, occurrence: { type: 'string' as const }, by: { type: 'string' as const }, ...configOption };
const ASSIGNMENT_HELP = [
  '  <nhiệm vụ>         id nhiệm vụ (hoặc "nhiệm vụ|kỳ|đơn vị" như API và nhật ký hiển thị)',
  '  --unit ID          đơn vị',
  '  --occurrence KEY   kỳ ("2027", "2021-Q2", "once"); mặc định: kỳ còn mở có hạn sớm nhất',
  '  --by TÊN           người thực hiện (ghi vào nhật ký; mặc định: tài khoản máy)',
  CONFIG_HELP,
];

export const doneCommand: Command = {
  name: 'done',
  summary: 'ghi nhận một đơn vị đã hoàn thành một nhiệm vụ (đúng hạn / trễ hạn)',
  usage: 'hanchot done <nhiệm vụ> --unit ID [--occurrence KEY] [--note …] [--evidence URL]',
  help: [
    'Ghi nhận hoàn thành: so với hạn thực tế của đơn vị (kể cả khi được gia hạn), trạng thái thành "hoàn thành',
    'đúng hạn" hoặc "hoàn thành trễ hạn". Các lời nhắc và chuyển cấp còn chờ của đơn vị được bỏ qua (lý do "completed").',
    'Chạy lại không thay đổi gì.',
    '',
    ...ASSIGNMENT_HELP,
    '  --note TEXT        ghi chú',
    '  --evidence URL     liên kết minh chứng (http/https)',
    '',
    'Ví dụ: hanchot done dmc-159-2020.thematic-report --unit dmc.thpt-dmc --occurrence 2027 --note "Đã gửi qua email"',
    ENV_HELP,
  ].join('\n'),
  options: { ...assignmentOptions, note: { type: 'string' }, evidence: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const { deps, close } = await open(values, io);
    try {
      return await guarded(async () => {
        const a = await target(deps, positionals[0]!, values);
        const r = await completeAssignment(deps, a, { actor: actorOf(values), note: text(values, 'note'), evidence: text(values, 'evidence') });
        io.out(r.changed ? `Đã ghi nhận ${describeStatus(r.assignment.status)}: ${describe(r.assignment)}.` : `Đã ${describeStatus(r.assignment.status)} từ trước: ${describe(r.assignment)}. Không có gì thay đổi.`);
        return 0;
      });
    } finally {
      await close();
    }
  },
};

/** A change an admin makes with a reason (reopen, waive): same options, same shape. */
function reasonCommand(spec: {
  name: string;
  summary: string;
  what: string;
  reasonWords: string;
  run: typeof reopenAssignment;
  said: (r: Awaited<ReturnType<typeof reopenAssignment>>) => string;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `hanchot ${spec.name} <nhiệm vụ> --unit ID [--occurrence KEY] --reason …`,
    help: [spec.what, '', ...ASSIGNMENT_HELP, '  --reason TEXT      lý do (bắt buộc)', ENV_HELP].join('\n'),
    options: { ...assignmentOptions, reason: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    async run({ values, positionals }, io) {
      const reason = text(values, 'reason');
      if (!reason) throw new UsageError(`cần --reason (${spec.reasonWords})`);
      const { deps, close } = await open(values, io);
      try {
        return await guarded(async () => {
          const a = await target(deps, positionals[0]!, values);
          io.out(spec.said(await spec.run(deps, a, { actor: actorOf(values), reason })));
          return 0;
        });
      } finally {
        await close();
      }
    },
  };
}

export const reopenCommand = reasonCommand({
  name: 'reopen',
  summary: 'mở lại một nhiệm vụ đã hoàn thành hoặc được miễn (ghi nhật ký)',
  what: 'Mở lại: nhiệm vụ trở về "chưa đến hạn" hoặc "quá hạn"; lịch nhắc và chuyển cấp được lập lại.',
  reasonWords: 'lý do mở lại',
  run: reopenAssignment,
  said: (r) => (r.changed ? `Đã mở lại: ${describe(r.assignment)} — nay ${describeStatus(r.assignment.status)}.` : `Nhiệm vụ đang mở (${describeStatus(r.assignment.status)}): không có gì thay đổi.`),
});

export const waiveCommand = reasonCommand({
  name: 'waive',
  summary: 'miễn một nhiệm vụ cho một đơn vị (ghi nhật ký)',
  what: 'Miễn: đơn vị không còn nhận nhắc hạn hay chuyển cấp cho kỳ này.',
  reasonWords: 'lý do miễn',
  run: waiveAssignment,
  said: (r) => (r.changed ? `Đã miễn: ${describe(r.assignment)}.` : `Đã được miễn từ trước: ${describe(r.assignment)}.`),
});

const extensionLine = (r: ExtensionRequest) =>
  `#${r.id} ${r.obligationId} kỳ ${r.occurrenceKey}, ${r.unitId}: ${formatVnDate(r.previousDue)} → ${formatVnDate(r.proposedDue)} — ${r.reason} [${{ pending: 'chờ duyệt', approved: 'đã duyệt', rejected: 'đã từ chối' }[r.status]}${r.decidedBy ? ` bởi ${r.decidedBy}` : ''}]`;

export const extensionCommand: Command = {
  name: 'extension',
  summary: 'đề nghị, duyệt hoặc từ chối gia hạn cho một đơn vị',
  usage: 'hanchot extension request <nhiệm vụ> --unit ID --date YYYY-MM-DD --reason … | approve <số> | reject <số> | list [--pending]',
  help: [
    'Gia hạn chỉ áp dụng cho đơn vị đề nghị. Khi được duyệt, hạn của đơn vị đổi sang ngày mới; lời nhắc và chuyển cấp',
    'được lập lại theo hạn mới; nhật ký ghi ai duyệt và lúc nào.',
    '',
    '  request <nhiệm vụ>  đề nghị: --unit, [--occurrence], --date (hạn đề nghị), --reason',
    '  approve <số>        duyệt đề nghị số …  [--note]',
    '  reject <số>         từ chối đề nghị số … [--note]',
    '  list                liệt kê đề nghị [--pending: chỉ đề nghị chờ duyệt]',
    ...ASSIGNMENT_HELP.slice(1),
    '',
    'Ví dụ: hanchot extension request dmc-159-2020.thematic-report --unit dmc.thpt-dmc --date 2027-11-15 --reason "Chờ số liệu quý"',
    '       hanchot extension approve 3 --by "VP LĐLĐ huyện"',
    ENV_HELP,
  ].join('\n'),
  options: { ...assignmentOptions, date: { type: 'string' }, reason: { type: 'string' }, note: { type: 'string' }, pending: { type: 'boolean' } },
  positionals: { min: 1, max: 2 },
  async run({ values, positionals }, io) {
    const [action, arg] = positionals as [string, string | undefined];
    if (!['request', 'approve', 'reject', 'list'].includes(action)) throw new UsageError(`không có thao tác "${action}"; dùng request, approve, reject hoặc list`);
    if (action !== 'list' && !arg) throw new UsageError(`${action} cần ${action === 'request' ? 'id nhiệm vụ' : 'số đề nghị'}`);
    const proposed = action === 'request' ? dateOption('date', values.date) : undefined;
    const reason = text(values, 'reason');
    if (action === 'request' && !reason) throw new UsageError('cần --reason (lý do xin gia hạn)');
    const id = action === 'approve' || action === 'reject' ? Number(arg) : 0;
    if ((action === 'approve' || action === 'reject') && !(Number.isInteger(id) && id > 0)) throw new UsageError(`"${arg}" không phải số đề nghị`);
    const { deps, close } = await open(values, io);
    try {
      return await guarded(async () => {
        if (action === 'list') {
          const all = await deps.store.extensionRequests({ status: values.pending === true ? 'pending' : undefined });
          io.out(all.length === 0 ? 'Không có đề nghị gia hạn nào.' : all.map(extensionLine).join('\n'));
          return 0;
        }
        if (action === 'request') {
          const a = await target(deps, arg!, values);
          const r = await requestExtension(deps, a, { actor: actorOf(values), reason: reason!, proposedDue: proposed! });
          io.out(`Đã gửi đề nghị gia hạn số ${r.id}: ${describe(a)} → ${formatVnDateWithWeekday(r.proposedDue)}. Chờ văn phòng cấp trên duyệt (hanchot extension approve ${r.id}).`);
          return 0;
        }
        const r = await decideExtension(deps, id, { actor: actorOf(values), approve: action === 'approve', note: text(values, 'note') });
        io.out(`${action === 'approve' ? 'Đã duyệt' : 'Đã từ chối'} ${extensionLine(r).slice(1)}`);
        return 0;
      });
    } finally {
      await close();
    }
  },
};

const pct = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`);

export function formatReport(report: Report): string {
  const head = ['đúng hạn', 'trễ hạn', 'quá hạn', 'chưa đến hạn', 'tỷ lệ đúng hạn'];
  const counts = (r: Report['totals']) => [String(r.onTime), String(r.late), String(r.overdue), String(r.upcoming), pct(r.onTimeRate)];
  const scope = [report.scope.unitId ? `đơn vị ${report.scope.unitId} và cấp dưới` : 'mọi đơn vị', report.scope.from ? `hạn từ ${formatVnDate(report.scope.from)}` : '', report.scope.to ? `đến ${formatVnDate(report.scope.to)}` : '']
    .filter(Boolean)
    .join(', ');
  return [
    `Báo cáo tình hình thực hiện nhiệm vụ đến ${formatVnDateWithWeekday(report.today)} (${scope}).`,
    '',
    table(['Đơn vị', ...head], report.units.map((u) => [u.name, ...counts(u)])),
    '',
    table(['Nhiệm vụ', ...head], report.obligations.map((o) => [o.title.length > 60 ? `${o.title.slice(0, 59)}…` : o.title, ...counts(o)])),
    '',
    `Tổng: ${report.totals.onTime} đúng hạn, ${report.totals.late} trễ hạn, ${report.totals.overdue} quá hạn chưa hoàn thành, ${report.totals.upcoming} chưa đến hạn${report.totals.waived ? `, ${report.totals.waived} được miễn` : ''}; tỷ lệ đúng hạn ${pct(report.totals.onTimeRate)}.`,
  ].join('\n');
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'thống kê đúng hạn / trễ hạn / quá hạn / chưa đến hạn theo đơn vị và nhiệm vụ',
  usage: 'hanchot report [--unit ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]',
  help: [
    'Đếm các nhiệm vụ có hạn trong khoảng đã chọn: đúng hạn, trễ hạn, quá hạn chưa hoàn thành, chưa đến hạn, và tỷ lệ',
    'đúng hạn (đúng hạn ÷ những việc đã đến hạn). Nhiệm vụ được miễn không tính vào tỷ lệ.',
    '',
    '  --unit ID     một đơn vị và mọi đơn vị cấp dưới (mặc định: tất cả)',
    '  --from, --to  khoảng hạn (mặc định: tất cả)',
    '  --json        in JSON: { units: [{ unitId, name, onTime, late, overdue, upcoming, onTimeRate }], obligations: [...] }',
    CONFIG_HELP,
    ENV_HELP,
  ].join('\n'),
  options: { unit: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, ...configOption },
  async run({ values }, io) {
    const from = values.from === undefined ? undefined : dateOption('from', values.from);
    const to = values.to === undefined ? undefined : dateOption('to', values.to);
    const { deps, close } = await open(values, io);
    try {
      return await guarded(async () => {
        const report = await buildReport(deps.store, { unitId: text(values, 'unit'), from, to, today: localDateOf(deps.clock.now(), deps.calendar.zone) });
        io.out(values.json === true ? JSON.stringify(report, null, 2) : formatReport(report));
        return 0;
      });
    } finally {
      await close();
    }
  },
};
