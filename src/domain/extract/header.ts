/**
 * The directive's own header: "Số: 159/LĐLĐ", the issuing body above it, and
 * "Huyện Dương Minh Châu, ngày 14 tháng 4 năm 2020". Decree 30/2020/NĐ-CP (appendix I) fixes
 * this layout for administrative documents, and Party and union documents follow it closely:
 * the issuer (with its parent body on the line above) top left, the number under it, place and
 * date top right. Only the first lines are read, so a body that cites other documents'
 * numbers and dates cannot be mistaken for the header.
 */
import { isValidYmd, ymd, type IsoDate } from '../civil-date.js';
import type { PreparedText } from './text.js';

export interface DirectiveHeader {
  readonly number: string | null;
  readonly issuer: string | null;
  readonly issuedOn: IsoDate | null;
  readonly place: string | null;
  /** Span of the place-and-date line in the prepared text: never a deadline. */
  readonly dateSpan: readonly [number, number] | null;
}

const HEADER_LINES = 40;

/** Lines that are part of the national or Party motto, not the issuer. */
const MOTTO = /^(cong hoa xa hoi|doc lap|dang cong san viet nam|tong lien doan lao dong viet nam$)/;
/** A line that starts a body: the issuer block is above it. */
const ORG_START = /^(lien doan|tong lien doan|cong doan|dang bo|dang uy|huyen uy|tinh uy|thanh uy|thi uy|quan uy|ban |uy ban|ubnd|so |bo |hoi dong|hdnd|mat tran|doan |chi bo|van phong|cong ty|truong )/;

/** Symbol suffixes (after the number) that name the issuer when the header lost it (scans, OCR). */
const ISSUER_BY_SYMBOL: Readonly<Record<string, string>> = {
  'TLĐ': 'Tổng Liên đoàn Lao động Việt Nam',
  'LĐLĐ': 'Liên đoàn Lao động',
  'HU': 'Huyện ủy',
  'TU': 'Tỉnh ủy',
  'TW': 'Ban Chấp hành Trung ương',
  'UBND': 'Ủy ban nhân dân',
};

interface Line {
  readonly start: number;
  readonly end: number;
}

function firstLines(text: string, count: number): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (lines.length < count && start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    lines.push({ start, end });
    if (nl < 0) break;
    start = nl + 1;
  }
  return lines;
}

/** The cells of a line: split at tabs and at runs of three or more spaces (a table's columns). */
function cellsOf(text: string, line: Line): Line[] {
  const cells: Line[] = [];
  const re = /\t+| {3,}/g;
  const raw = text.slice(line.start, line.end);
  let at = 0;
  for (const m of raw.matchAll(re)) {
    if (m.index > at) cells.push({ start: line.start + at, end: line.start + m.index });
    at = m.index + m[0].length;
  }
  if (at < raw.length) cells.push({ start: line.start + at, end: line.end });
  return cells;
}

const stripMarks = (s: string): string => s.replace(/[*_#]+/g, ' ').replace(/\s+/g, ' ').trim();

function isUpperLine(s: string): boolean {
  const letters = s.replace(/[^\p{L}]/gu, '');
  if (letters.length < 4) return false;
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  return upper / letters.length > 0.85;
}

const NUMBER_LINE = /^so\s{0,3}:?\s{0,3}(\d{1,6})\s{0,3}([-/])/;
const DATE_LINE = /^(.{0,60}?),\s{0,3}ngay\s{0,3}(\d{1,2})\s{0,3}(?:thang\s{0,3}(\d{1,2})\s{0,3}nam|[/.-]\s{0,2}(\d{1,2})\s{0,2}[/.-])\s{0,3}(\d{4})/;

export function readHeader(prepared: PreparedText): DirectiveHeader {
  const { text, folded } = prepared;
  const lines = firstLines(text, HEADER_LINES);
  let number: string | null = null;
  let numberLine = -1;
  let issuedOn: IsoDate | null = null;
  let place: string | null = null;
  let dateSpan: readonly [number, number] | null = null;
  let dateLine = -1;

  lines.forEach((line, index) => {
    // A header pasted from a Word table puts its two columns on one line, split by tabs or runs of spaces.
    for (const cell of cellsOf(text, line)) {
      const raw = text.slice(cell.start, cell.end);
      const lead = raw.length - raw.replace(/^[\s*_#]+/, '').length;
      const f = folded.slice(cell.start + lead, cell.end);
      if (number === null) {
        const m = NUMBER_LINE.exec(f);
        if (m) {
          // "Số: 07 /NQ-TLĐ", "Số 865 -CV/HU", "Số: 94/KH - LĐLĐ": the symbol runs to the end of the cell.
          const rest = stripMarks(raw.slice(lead + m.index + m[0].length - 1));
          number = `${m[1]}${rest.replace(/\s*([-/])\s*/g, '$1')}`.replace(/\s.*$/, '');
          numberLine = index;
        }
      }
      if (issuedOn === null) {
        const m = DATE_LINE.exec(f);
        // The place-and-date line: a place, a comma, "ngày …". A stamp "Ngày 3.1.2020" has no place.
        if (m && m[1] !== undefined && raw.trim().length < 100 && /[a-z]/.test(m[1]) && !/\b(so|den|vao|truoc|nhat|han|tu)\b/.test(m[1])) {
          const day = Number(m[2]);
          const month = Number(m[3] ?? m[4]);
          const year = Number(m[5]);
          if (isValidYmd(year, month, day)) {
            issuedOn = ymd(year, month, day);
            place = stripMarks(raw.slice(lead, lead + m[1].length)).replace(/,$/, '') || null;
            dateSpan = [cell.start + lead, cell.start + lead + m[0].length];
            dateLine = index;
          }
        }
      }
    }
  });

  const issuer = readIssuer(text, lines, numberLine >= 0 ? numberLine : dateLine) ?? issuerFromSymbol(number);
  return { number, issuer, issuedOn, place, dateSpan };
}

/** The issuing body: the upper-case block above the number, minus the parent body's line(s) and the motto. */
function readIssuer(text: string, lines: readonly Line[], before: number): string | null {
  if (before <= 0) return null;
  const blocks: string[][] = [];
  for (const line of lines.slice(0, before)) {
    // The issuer is the left column.
    const first = cellsOf(text, line)[0];
    if (!first) continue;
    const s = stripMarks(text.slice(first.start, first.end));
    if (!s || !isUpperLine(s)) continue;
    const f = s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd');
    if (MOTTO.test(f)) continue;
    if (ORG_START.test(f) || blocks.length === 0) blocks.push([s]);
    else blocks[blocks.length - 1]!.push(s);
  }
  const last = blocks[blocks.length - 1];
  return last ? last.join(' ') : null;
}

function issuerFromSymbol(number: string | null): string | null {
  if (!number) return null;
  const parts = number.split(/[-/]/);
  const suffix = parts[parts.length - 1] ?? '';
  return Object.hasOwn(ISSUER_BY_SYMBOL, suffix) ? ISSUER_BY_SYMBOL[suffix]! : null;
}

/** The first line that reads like a title (a directive's "V/v …" or the line under "KẾ HOẠCH"), for a new directive record. */
export function titleLine(text: string): string | null {
  const lines = text.split('\n').map((l) => l.replace(/[*_#]+/g, '').trim()).filter(Boolean).slice(0, 40);
  const vv = lines.find((l) => /^V\/v\b/iu.test(l));
  if (vv) return vv.replace(/^V\/v\s*/iu, '').slice(0, 200);
  const kind = lines.findIndex((l) => /^(KẾ HOẠCH|NGHỊ QUYẾT|CHỈ THỊ|HƯỚNG DẪN|THÔNG BÁO|CÔNG VĂN|QUYẾT ĐỊNH)$/u.test(l));
  if (kind >= 0 && lines[kind + 1]) return `${lines[kind]!.charAt(0)}${lines[kind]!.slice(1).toLocaleLowerCase('vi')} ${lines[kind + 1]!.charAt(0).toLocaleLowerCase('vi')}${lines[kind + 1]!.slice(1)}`.slice(0, 200);
  return lines.find((l) => l.length > 20 && !/^(CỘNG HÒA|Độc lập|Số\b|Kính gửi)/u.test(l))?.slice(0, 200) ?? null;
}

