import { open, stat } from 'node:fs/promises';
import { PostgresAccessStore } from '../../adapters/postgres/access-store.js';
import { PostgresDraftStore } from '../../adapters/postgres/draft-store.js';
import { PostgresStore } from '../../adapters/postgres/store.js';
import { CatalogueEditError } from '../../app/catalogue-edit.js';
import { importDirectiveText, importRequest } from '../../app/directive-import.js';
import { loadConfig } from '../context.js';
import { openRecord } from '../service.js';
import { ENV_HELP, runtime } from './runtime.js';
import { actorOf } from './follow-up.js';
import { formatVnDate } from '../../domain/civil-date.js';
import { describeRule } from '../../domain/describe.js';
import { extractDirective, ExtractInputError, MAX_EXTRACT_LENGTH, type ExtractResult } from '../../domain/extract/index.js';
import { CommandFailed, UsageError, type Command } from '../cli-kit.js';
import { CONFIG_HELP, configOption, dateOption } from './shared-options.js';

/** Bytes read at most: UTF-8 Vietnamese takes up to 3 bytes a character. */
const MAX_BYTES = MAX_EXTRACT_LENGTH * 3;

/** Reads a directive's text from a file or standard input, refusing what is not UTF-8 text. */
export async function readDirectiveText(source: string): Promise<string> {
  let bytes: Buffer;
  if (source === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > MAX_BYTES) throw new CommandFailed(`Văn bản trên stdin lớn hơn ${MAX_BYTES / 1e6} MB: hãy tách văn bản (input too large)`);
      chunks.push(chunk as Buffer);
    }
    bytes = Buffer.concat(chunks);
  } else {
    let size: number;
    try {
      size = (await stat(source)).size;
    } catch {
      throw new CommandFailed(`Không đọc được tệp ${source} (no such file or not readable)`);
    }
    if (size > MAX_BYTES) throw new CommandFailed(`Tệp ${source} lớn ${(size / 1e6).toFixed(1)} MB, quá giới hạn ${MAX_BYTES / 1e6} MB: hãy tách văn bản (input too large)`);
    const handle = await open(source, 'r');
    try {
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  }
  if (bytes.subarray(0, 4).toString('latin1') === '%PDF' || bytes.subarray(0, 2).toString('latin1') === 'PK') {
    throw new CommandFailed('Đây là tệp PDF hoặc Word: hãy lưu văn bản thành .txt (UTF-8) rồi chạy lại (only plain UTF-8 text is read)');
  }
  if (bytes.includes(0)) throw new CommandFailed('Tệp không phải văn bản thuần (có byte 0): hãy lưu thành .txt UTF-8 (binary input)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CommandFailed('Tệp không phải UTF-8 (có thể là bảng mã TCVN3, VNI hoặc Windows-1258): hãy mở và lưu lại thành UTF-8 rồi chạy lại (not UTF-8)');
  }
  if (text.trim() === '') throw new CommandFailed('Văn bản trống: không có gì để đọc (empty input)');
  return text;
}

export function runExtract(text: string, issued: string | undefined): ExtractResult {
  try {
    return extractDirective(text, issued ? { issuedOn: issued } : {});
  } catch (e) {
    if (e instanceof ExtractInputError) throw new CommandFailed(e.message);
    throw e;
  }
}

const KIND_LABEL: Readonly<Record<string, string>> = {
  once: 'một lần',
  yearly: 'hằng năm',
  semiannual: '6 tháng',
  quarterly: 'hằng quý',
  monthly: 'hằng tháng',
  period: 'trong kỳ',
  continuous: 'thường xuyên',
  on_event: 'khi phát sinh',
  relative: 'theo ngày mốc',
};

export function renderExtract(result: ExtractResult): string {
  const d = result.directive;
  const head = [
    `Văn bản: ${d.number ? `số ${d.number}` : '(không rõ số)'}${d.issuer ? ` — ${d.issuer}` : ''}${d.issuedOn ? `, ban hành ${formatVnDate(d.issuedOn)}` : ', không rõ ngày ban hành'}`,
    `Tìm thấy ${result.obligations.length} thời hạn:`,
    '',
  ];
  const items = result.obligations.map((o, i) => {
    const due = o.due ? ` — hạn ${formatVnDate(o.due)}${o.dueEffective && o.dueEffective !== o.due ? ` (tức là chậm nhất ngày ${formatVnDate(o.dueEffective)})` : ''}` : '';
    const rule = o.dueRule ? describeRule(o.dueRule) : `ngày ${o.rule?.day ?? '?'}/${o.rule?.month ?? '?'}, chưa có năm`;
    return [
      `${i + 1}. ${o.title || '(chưa có tên)'}`,
      `   ${KIND_LABEL[o.kind] ?? o.kind}: ${rule}${due}`,
      `   «${o.phrase}» (ký tự ${o.span[0]}–${o.span[1]}, độ tin cậy ${Math.round(o.confidence * 100)}%)${o.assumed ? `\n   * ${o.assumed}` : ''}`,
    ].join('\n');
  });
  if (!d.issuedOn && result.obligations.some((o) => o.assumed || !o.dueRule)) items.push('', 'Gợi ý: thêm --issued YYYY-MM-DD để suy ra năm của các ngày viết không có năm.');
  return [...head, ...items].join('\n');
}

export const extractCommand: Command = {
  name: 'extract',
  summary: 'đọc một văn bản chỉ đạo và liệt kê mọi thời hạn trong đó',
  usage: 'hanchot extract <tệp|-> [--issued YYYY-MM-DD] [--json]',
  help: [
    'Đọc văn bản (UTF-8; NFC hoặc NFD, có hoặc không dấu) từ tệp, hoặc từ stdin với "-", và liệt kê',
    'mọi thời hạn tìm thấy: cụm từ, vị trí, quy tắc hạn, tên nhiệm vụ và độ tin cậy. Số, cơ quan và',
    'ngày ban hành được đọc từ phần đầu văn bản. Không ghi gì vào cơ sở dữ liệu (xem hanchot import).',
    '',
    '  --issued DATE   ngày ban hành, nếu phần đầu văn bản không có hoặc đọc sai: dùng để suy ra năm',
    '                  của các ngày viết không có năm ("trước ngày 10-4")',
    '  --json          in JSON: { directive: {number, issuer, issuedOn}, obligations: [...] } (README)',
    '',
    `Giới hạn: ${MAX_EXTRACT_LENGTH.toLocaleString('vi-VN')} ký tự. Tệp PDF/Word: hãy lưu thành .txt trước.`,
    '',
    'Ví dụ: hanchot extract cong-van-159.txt',
    '       pbpaste | hanchot extract - --issued 2020-04-14 --json',
  ].join('\n'),
  options: { issued: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const source = positionals[0];
    if (!source) throw new UsageError('thiếu tệp văn bản (hoặc "-" để đọc stdin)');
    const issued = values.issued === undefined ? undefined : dateOption('issued', values.issued);
    const result = runExtract(await readDirectiveText(source), issued);
    io.out(values.json ? JSON.stringify(result, null, 2) : renderExtract(result));
    return 0;
  },
};

export const importCommand: Command = {
  name: 'import',
  summary: 'đọc một văn bản và lưu các thời hạn tìm thấy thành dự thảo nhiệm vụ để duyệt',
  usage: 'hanchot import <tệp|-> --directive ID [--number S] [--issuer S] [--issued YYYY-MM-DD] [--title S] [--by NAME] [--json]',
  help: [
    'Như hanchot extract, rồi lưu vào cơ sở dữ liệu: tạo văn bản ID (nếu chưa có) và một dự thảo cho mỗi',
    'thời hạn tìm thấy. Dự thảo không được lập lịch nhắc cho đến khi quản trị viên chấp nhận ở trang',
    '/import/ID/drafts của giao diện quản trị. Nhập lại cùng ID thay các dự thảo chưa duyệt.',
    '',
    '  --directive ID  mã văn bản (chữ thường không dấu, số, ".", "_", "-"), ví dụ dmc-159-2020',
    '  --number S      số, ký hiệu; --issuer S cơ quan ban hành; --issued DATE ngày ban hành;',
    '  --title S       trích yếu: chỉ cần khi phần đầu văn bản không có hoặc đọc sai',
    '  --by NAME       tên người nhập, ghi vào nhật ký (mặc định: người dùng hệ điều hành)',
    '  --json          in kết quả đọc dạng JSON như hanchot extract --json',
    CONFIG_HELP,
    ENV_HELP,
    '',
    'Ví dụ: hanchot import cong-van-159.txt --directive dmc-159-2020',
  ].join('\n'),
  options: {
    directive: { type: 'string' },
    number: { type: 'string' },
    issuer: { type: 'string' },
    issued: { type: 'string' },
    title: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean' },
    ...configOption,
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const source = positionals[0];
    if (!source) throw new UsageError('thiếu tệp văn bản (hoặc "-" để đọc stdin)');
    const parsed = importRequest.safeParse({
      text: await readDirectiveText(source),
      directiveId: values.directive ?? '',
      ...(values.number ? { number: values.number } : {}),
      ...(values.issuer ? { issuer: values.issuer } : {}),
      ...(values.issued ? { issuedOn: dateOption('issued', values.issued) } : {}),
      ...(values.title ? { title: values.title } : {}),
    });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.') === 'directiveId' ? 'directive' : i.path.join('.')}: ${i.message}`).join('; '));
    const { env, logger, clock } = runtime({ config: values.config as string | undefined });
    const loaded = await loadConfig(env.HANCHOT_CONFIG_DIR);
    const db = await openRecord(env, logger, clock);
    try {
      const store = new PostgresStore(db);
      const deps = {
        // Drafts are not planned: nothing here needs the queue.
        edit: { store, access: new PostgresAccessStore(db), queue: { requestPlan: async () => undefined }, clock, settings: loaded.catalogue.settings, zone: loaded.calendar.zone },
        drafts: new PostgresDraftStore(db),
      };
      let outcome;
      try {
        outcome = await importDirectiveText(deps, parsed.data, { role: 'admin', unitId: null, actor: actorOf(values) });
      } catch (e) {
        if (e instanceof CatalogueEditError) {
          const flags: Record<string, string> = { number: '--number', issuer: '--issuer', issuedOn: '--issued', title: '--title' };
          if (e.issues.length > 0 && e.issues.every((i) => flags[i.path])) throw new CommandFailed(`${e.message.split(':')[0]}: thêm ${e.issues.map((i) => flags[i.path]).join(', ')}`);
          throw new CommandFailed(e.message, e.issues.map((i) => `${i.path}: ${i.message}`));
        }
        throw e;
      }
      if (values.json) io.out(JSON.stringify(outcome.result, null, 2));
      else {
        io.out(renderExtract(outcome.result));
        io.out('');
        io.out(`${outcome.created ? 'Đã tạo' : 'Đã cập nhật'} văn bản ${outcome.directiveId} và lưu ${outcome.drafts} dự thảo (chưa lập lịch nhắc).`);
        io.out(`Duyệt tại ${env.PUBLIC_URL.replace(/\/$/, '')}/import/${encodeURIComponent(outcome.directiveId)}/drafts`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};

