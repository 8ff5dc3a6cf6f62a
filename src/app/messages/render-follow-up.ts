import { formatVnDateWithWeekday, type IsoDate } from '../../domain/civil-date.js';
import type { LeadershipDigest } from '../../domain/leadership-digest.js';
import type { EscalationContent } from '../escalate.js';
import type { ClaimedDelivery } from '../stores.js';
import { escapeHtml } from './render-reminder.js';

/** The fields a Zalo template may use (config/templates/zalo.yaml), for messages other than reminders. */
export interface ZaloFields {
  readonly recipientName: string;
  readonly unitName: string;
  readonly title: string;
  readonly directive: string;
  readonly due: string;
  readonly timeLeft: string;
  readonly itemCount: string;
  readonly otherCount: string;
}

export interface RenderedFollowUp {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly zalo: ZaloFields;
}

const CHANNEL_WORDS: Record<string, string> = { email: 'email', zalo_zns: 'Zalo (ZNS)', zalo_oa: 'Zalo OA' };

/** "7d" → "nhắc trước 7 ngày"; "esc.L2.R1" → "chuyển cấp 2, lần nhắc lại 1". */
export function describeStep(step: string): string {
  const own = step.split('@')[0]!;
  const esc = /^esc\.L(\d+)\.R(\d+)(?:\.\d{4}-\d{2}-\d{2})?$/.exec(own);
  if (esc) return `chuyển cấp ${esc[1]}${esc[2] === '0' ? '' : `, lần nhắc lại ${esc[2]}`}`;
  if (own.startsWith('now-')) return 'nhắc ngay (quản trị viên gửi)';
  const ladder = /^(\d+)(wd|d)$/.exec(own);
  if (ladder) return ladder[1] === '0' ? 'nhắc đúng ngày hạn' : `nhắc trước ${ladder[1]} ngày${ladder[2] === 'wd' ? ' làm việc' : ''}`;
  return own;
}

const dateShort = (d: IsoDate) => d.split('-').reverse().join('/');

/**
 * An escalation notice to leadership: each overdue item names the unit, the obligation, the
 * directive, how many working days overdue, and every reminder the unit was sent (date, channel).
 */
export function renderEscalation(input: {
  readonly recipientName: string;
  readonly items: readonly ClaimedDelivery[];
  readonly zone: string;
  readonly formatInstant: (iso: string, zone: string) => string;
  /** The signed completion link of an item, for the overdue unit's own leader. */
  readonly doneLink?: (item: ClaimedDelivery) => string | undefined;
}): RenderedFollowUp {
  const items = input.items.map((d) => ({ d, c: d.content as EscalationContent }));
  const first = items[0]!;
  const subject =
    items.length === 1
      ? `[Hạn Chót] Quá hạn ${first.c.workingDaysOverdue} ngày làm việc: ${first.c.unitName} – ${first.d.title}`
      : `[Hạn Chót] ${items.length} nhiệm vụ quá hạn chưa hoàn thành (${[...new Set(items.map((i) => i.c.unitName))].length} đơn vị)`;
  const lines: string[] = [`Kính gửi đồng chí ${input.recipientName},`, '', 'Hạn Chót xin báo cáo nhiệm vụ quá hạn chưa hoàn thành:', ''];
  items.forEach(({ d, c }, i) => {
    lines.push(`${i + 1}. ${c.unitName}: ${d.title}`);
    lines.push(`   Văn bản: số ${d.directiveNumber}${d.directiveTitle ? ` – ${d.directiveTitle}` : ''}`);
    lines.push(`   Hạn: ${formatVnDateWithWeekday(c.due)} – quá hạn ${c.workingDaysOverdue} ngày làm việc`);
    lines.push(`   Mức: chuyển cấp ${c.level}${c.repeat > 0 ? `, nhắc lại lần ${c.repeat}` : ''}`);
    if (c.sent.length === 0) lines.push('   Đơn vị chưa nhận được lời nhắc nào qua Hạn Chót.');
    else {
      lines.push(`   Đơn vị đã được nhắc ${c.sent.length} lần:`);
      for (const s of c.sent) {
        lines.push(`     - ${input.formatInstant(s.at, input.zone)} qua ${CHANNEL_WORDS[s.channel] ?? s.channel} tới ${s.contactName} (${describeStep(s.step)})`);
      }
    }
    const done = c.notify === 'unit_leader' ? input.doneLink?.(d) : undefined;
    if (done) lines.push(`   Khi đơn vị đã hoàn thành, xác nhận tại: ${done}`);
    lines.push('');
  });
  lines.push('--', 'Thư gửi tự động theo chính sách chuyển cấp khi quá hạn; việc nhắc sẽ dừng khi đơn vị báo hoàn thành, được miễn hoặc được gia hạn.');
  return rendered(subject, lines, {
    recipientName: input.recipientName,
    unitName: first.c.unitName,
    title: first.d.title,
    directive: first.d.directiveNumber,
    due: dateShort(first.c.due),
    timeLeft: `quá hạn ${first.c.workingDaysOverdue} ngày làm việc`,
    itemCount: String(items.length),
    otherCount: items.length > 1 ? `và ${items.length - 1} nhiệm vụ khác` : '',
  });
}

/** The weekly digest to a leader: counts per unit and the items behind them. */
export function renderLeadershipDigest(input: { readonly recipientName: string; readonly digest: LeadershipDigest }): RenderedFollowUp {
  const g = input.digest;
  const subject = `[Hạn Chót] Tổng hợp tuần ${dateShort(g.runOn)}: ${g.totals.overdue} quá hạn, ${g.totals.late} trễ hạn, ${g.totals.upcoming} sắp đến hạn`;
  const lines: string[] = [
    `Kính gửi đồng chí ${input.recipientName},`,
    '',
    `Tình hình thực hiện nhiệm vụ của các đơn vị trực thuộc ${g.scopeUnitName} đến ${formatVnDateWithWeekday(g.runOn)}:`,
    `- Quá hạn chưa hoàn thành: ${g.totals.overdue}`,
    `- Hoàn thành trễ hạn trong tuần qua: ${g.totals.late}`,
    `- Đến hạn trong 2 tuần tới: ${g.totals.upcoming}`,
    '',
  ];
  if (g.totals.units === 0) lines.push('Tuần này không có nhiệm vụ nào quá hạn, trễ hạn hay sắp đến hạn.', '');
  else {
    lines.push('Theo đơn vị (quá hạn / trễ hạn / sắp đến hạn):');
    for (const u of g.units) lines.push(`  ${u.unitName}: ${u.overdue} / ${u.late} / ${u.upcoming}`);
    if (g.moreUnits > 0) lines.push(`  … và ${g.moreUnits} đơn vị khác`);
    lines.push('');
  }
  const section = (title: string, items: LeadershipDigest['overdue'], more: number, words: (n: number) => string) => {
    if (items.length === 0) return;
    lines.push(title);
    items.forEach((l, i) => lines.push(`  ${i + 1}. ${l.unitName}: ${l.title} (số ${l.directiveNumber}) – hạn ${dateShort(l.due)}, ${words(l.workingDays)}`));
    if (more > 0) lines.push(`  … và ${more} mục khác`);
    lines.push('');
  };
  section('QUÁ HẠN CHƯA HOÀN THÀNH', g.overdue, g.moreOverdue, (n) => `quá ${n} ngày làm việc`);
  section('HOÀN THÀNH TRỄ HẠN (tuần qua)', g.late, g.moreLate, (n) => `trễ ${n} ngày làm việc`);
  section('ĐẾN HẠN TRONG 2 TUẦN TỚI', g.upcoming, g.moreUpcoming, (n) => (n === 0 ? 'hạn hôm nay' : `còn ${n} ngày làm việc`));
  lines.push('--', 'Bản tổng hợp gửi tự động hằng tuần từ Hạn Chót.');
  return rendered(subject, lines, {
    recipientName: input.recipientName,
    unitName: g.scopeUnitName,
    title: `Tổng hợp tuần ${dateShort(g.runOn)}`,
    directive: '',
    due: dateShort(g.runOn),
    timeLeft: `${g.totals.overdue} quá hạn, ${g.totals.upcoming} sắp đến hạn`,
    itemCount: String(g.totals.overdue + g.totals.late + g.totals.upcoming),
    otherCount: '',
  });
}

/** NFC text from its lines, the same text as escaped HTML, and the Zalo fields. */
function rendered(subject: string, lines: readonly string[], zalo: ZaloFields): RenderedFollowUp {
  const text = `${lines.join('\n').normalize('NFC')}\n`;
  return { subject: subject.normalize('NFC'), text, html: htmlOf(subject, text), zalo };
}

/** The plain text, escaped, kept in its lines: readable in every mail client, nothing from data can inject markup. */
function htmlOf(subject: string, text: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin: 0; padding: 16px; font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a;">',
    `<div style="white-space: pre-wrap;">${escapeHtml(text)}</div>`,
    '</body></html>',
  ]
    .join('\n')
    .normalize('NFC');
}
