import { open, stat } from 'node:fs/promises';
import { formatVnDate } from '../../domain/civil-date.js';
import { describeRule } from '../../domain/describe.js';
import { extractDirective, ExtractInputError, MAX_EXTRACT_LENGTH, type ExtractResult } from '../../domain/extract/index.js';
import { CommandFailed, UsageError, type Command } from '../cli-kit.js';
import { dateOption } from './shared-options.js';

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
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
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
    const due = o.due ? ` — hạn ${formatVnDate(o.due)}${o.dueEffective && o.dueEffective !== o.due ? ` (hạn cuối đáp ứng: ${formatVnDate(o.dueEffective)})` : ''}` : '';
    return [
      `${i + 1}. ${o.title || '(chưa có tên)'}`,
      `   ${KIND_LABEL[o.kind] ?? o.kind}: ${describeRule(o.dueRule)}${due}`,
      `   «${o.phrase}» (ký tự ${o.span[0]}–${o.span[1]}, độ tin cậy ${Math.round(o.confidence * 100)}%)${o.assumed ? `\n   * ${o.assumed}` : ''}`,
    ].join('\n');
  });
  if (!d.issuedOn && result.obligations.some((o) => o.assumed)) items.push('', 'Gợi ý: thêm --issued YYYY-MM-DD để suy ra năm của các ngày viết không có năm.');
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
