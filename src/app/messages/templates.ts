import Mustache from 'mustache';
import { isMap, isScalar, LineCounter, parseDocument, type Scalar } from 'yaml';
import { z } from 'zod';
import type { SourceFile } from '../catalogue/yaml-source.js';

/**
 * Message templates (config/templates/*.yaml): mustache bodies for the plain-text and HTML
 * parts of a reminder. Checked once at start so that a typo in a tag fails the start, not
 * the 08:00 run: every tag must name a field the renderer provides, and no tag may skip
 * HTML escaping ({{{x}}} or {{&x}}). I/O-free: the caller reads the file.
 */

/** The fields a reminder template can use, exactly as render-reminder.ts fills them. */
export interface ReminderTemplateView {
  readonly recipientName: string;
  readonly unitName: string;
  /** "thứ Sáu, 22/10/2027". */
  readonly todayText: string;
  readonly itemCount: number;
  /** True when the digest lists more than one item (to pick singular/plural wording). */
  readonly manyItems: boolean;
  /** The unit's overview page, or PUBLIC_URL. */
  readonly overviewUrl: string;
  readonly items: readonly ReminderTemplateItem[];
}

export interface ReminderTemplateItem {
  /** 1-based position in the list. */
  readonly position: number;
  readonly directiveNumber: string;
  readonly directiveTitle?: string;
  readonly title: string;
  readonly clause?: string;
  readonly ruleWords: string;
  /** "thứ Bảy, 30/10/2027". */
  readonly dueText: string;
  /** "còn 7 ngày (5 ngày làm việc)". */
  readonly timeLeftText: string;
  /** "trùng ngày nghỉ, hạn thực tế thứ Hai, 01/11/2027". */
  readonly rolledNote?: string;
  /** Where to act on the item: its signed action link, or PUBLIC_URL. */
  readonly link: string;
  /** The signed "Đã nhận" link, or PUBLIC_URL. */
  readonly ackLink: string;
  readonly overdue: boolean;
  readonly dueToday: boolean;
}

/** What a tag may name at one nesting level: plain fields, and lists that open a nested level. */
export interface TemplateScope {
  readonly values: readonly string[];
  readonly lists: Readonly<Record<string, TemplateScope>>;
}

const TOP_FIELDS = ['recipientName', 'unitName', 'todayText', 'itemCount', 'manyItems', 'overviewUrl'] as const;
const ITEM_FIELDS = [
  'position',
  'directiveNumber',
  'directiveTitle',
  'title',
  'clause',
  'ruleWords',
  'dueText',
  'timeLeftText',
  'rolledNote',
  'link',
  'ackLink',
  'overdue',
  'dueToday',
] as const;

// Compile-time guard: the allowlist and the view types above name the same fields, in both directions.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const topFieldsMatch: Exact<(typeof TOP_FIELDS)[number], Exclude<keyof ReminderTemplateView, 'items'>> = true;
const itemFieldsMatch: Exact<(typeof ITEM_FIELDS)[number], keyof ReminderTemplateItem> = true;
void topFieldsMatch;
void itemFieldsMatch;

export const REMINDER_TEMPLATE_FIELDS: TemplateScope = {
  values: TOP_FIELDS,
  lists: { items: { values: ITEM_FIELDS, lists: {} } },
};

export interface ReminderTemplates {
  /** The file the templates came from, for messages. */
  readonly source: string;
  readonly text: string;
  readonly html: string;
}

export interface TemplateProblem {
  readonly file: string;
  readonly line?: number;
  /** "text" or "html": which body. */
  readonly field?: string;
  /** The offending tag as written: "{{titel}}". */
  readonly tag?: string;
  readonly message: string;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(readonly problems: readonly TemplateProblem[]) {
    super(`mẫu thư không hợp lệ:\n${problems.map(formatProblem).join('\n')}`);
  }
}

export function formatProblem(p: TemplateProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  return `  ${where}${p.field ? ` (${p.field})` : ''}: ${p.message}`;
}

const TemplateFileSchema = z.strictObject({
  // refine, not trim(): the body is kept as written so tag offsets map back to file lines.
  text: z.string().refine((s) => s.trim() !== '', 'phần thư dạng văn bản (text) không được để trống'),
  html: z.string().refine((s) => s.trim() !== '', 'phần thư HTML (html) không được để trống'),
});

const BODIES = ['text', 'html'] as const;

/**
 * Parses and checks a reminder template file (YAML with `text` and `html` mustache bodies).
 * Throws TemplateError listing every problem, each with file, line and tag.
 */
export function loadReminderTemplates(file: SourceFile, scope: TemplateScope = REMINDER_TEMPLATE_FIELDS): ReminderTemplates {
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  if (doc.errors.length > 0) {
    throw new TemplateError(
      doc.errors.map((e) => ({ file: file.path, line: lines.linePos(e.pos[0]).line, message: `YAML không đọc được: ${e.message.split('\n')[0]}` })),
    );
  }
  const parsed = TemplateFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new TemplateError(
      parsed.error.issues.map((issue) => {
        const key = issue.path[0];
        const message =
          issue.code === 'unrecognized_keys'
            ? `khóa không dùng được: ${issue.keys.join(', ')} (chỉ có text và html; tiêu đề thư do chương trình tạo)`
            : issue.code === 'invalid_type'
              ? `thiếu hoặc sai kiểu: cần một chuỗi mẫu mustache`
              : issue.message;
        return { file: file.path, ...(typeof key === 'string' ? { field: key, line: keyLine(doc, lines, key) } : {}), message };
      }),
    );
  }

  const problems: TemplateProblem[] = [];
  for (const field of BODIES) {
    const template = parsed.data[field];
    // A literal block scalar (`|`) keeps one template line per file line, starting after its header.
    const node = isMap(doc.contents) ? (doc.contents.get(field, true) as Scalar | undefined) : undefined;
    const firstLine =
      isScalar(node) && node.type === 'BLOCK_LITERAL' && node.range ? lines.linePos(node.range[0]).line + 1 : undefined;
    problems.push(...checkTemplate(template, scope, (offset) => ({
      file: file.path,
      field,
      ...(firstLine !== undefined ? { line: firstLine + lineIndex(template, offset) } : {}),
    })));
  }
  if (problems.length > 0) throw new TemplateError(problems);
  return { source: file.path, text: parsed.data.text, html: parsed.data.html };
}

type Token = [string, string, number, number, Token[]?, number?];

/** Every problem in one mustache template, against the fields in `scope`. */
export function checkTemplate(
  template: string,
  scope: TemplateScope,
  at: (offset: number) => Omit<TemplateProblem, 'message' | 'tag'>,
): TemplateProblem[] {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as unknown as Token[];
  } catch (e) {
    const pos = /at (\d+)\s*$/.exec((e as Error).message);
    return [{ ...at(pos ? Number(pos[1]) : 0), message: `mẫu mustache sai cú pháp: ${(e as Error).message}` }];
  }
  const problems: TemplateProblem[] = [];
  const walk = (list: readonly Token[], stack: readonly TemplateScope[]): void => {
    for (const token of list) {
      const [type, name, start, end] = token;
      const tag = template.slice(start, end);
      const report = (message: string) => problems.push({ ...at(start), tag, message: `${tag}: ${message}` });
      const known = stack.some((s) => s.values.includes(name));
      switch (type) {
        case 'text':
        case '!':
          break;
        case 'name':
          if (!known) report(unknownField(name, stack));
          break;
        case '&':
          report('không được dùng {{{…}}} hoặc {{&…}}: mọi giá trị phải được thoát HTML, hãy viết {{' + name + '}}');
          break;
        case '#':
        case '^': {
          const list = [...stack].reverse().find((s) => name in s.lists)?.lists[name];
          if (list) walk(token[4] ?? [], type === '#' ? [...stack, list] : stack);
          else if (known) walk(token[4] ?? [], stack);
          else report(unknownField(name, stack));
          break;
        }
        case '>':
          report('không dùng mẫu con (partial) trong mẫu thư');
          break;
        case '=':
          report('không đổi dấu ngoặc của mustache trong mẫu thư');
          break;
        default:
          report(`loại thẻ mustache "${type}" không được hỗ trợ`);
      }
    }
  };
  walk(tokens, [scope]);
  return problems;
}

function unknownField(name: string, stack: readonly TemplateScope[]): string {
  const names = stack.flatMap((s) => [...s.values, ...Object.keys(s.lists)]);
  return `"${name}" không phải trường có trong thư nhắc; dùng được ở đây: ${[...new Set(names)].join(', ')}`;
}

function lineIndex(text: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function keyLine(doc: ReturnType<typeof parseDocument>, lines: LineCounter, key: string): number | undefined {
  if (!isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
  const offset = (pair?.key as Scalar | undefined)?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
