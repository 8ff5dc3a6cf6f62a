import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ICS_CONTENT_TYPE, renderReminder } from '../../src/app/messages/render-reminder.js';
import { loadReminderTemplates, TemplateError, type ReminderTemplates } from '../../src/app/messages/templates.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { buildReminderMessage, type DigestItem } from '../../src/domain/reminder-message.js';
import { CONFIG_DIR, shippedConfig } from '../support/shipped-config.js';
import { THEMATIC_REPORT_ITEM } from '../support/digest-items.js';

const SHIPPED = { path: 'templates/reminder.yaml', text: readFileSync(join(CONFIG_DIR, 'templates/reminder.yaml'), 'utf8') };

let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
});

const load = (text: string) => loadReminderTemplates({ path: 'templates/test.yaml', text });

/** The TemplateError a load throws, or a failure when it does not throw. */
function problemsOf(text: string): TemplateError {
  try {
    load(text);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected the template to be rejected');
}

const item: DigestItem = { ...THEMATIC_REPORT_ITEM, actionUrl: 'https://hanchot.test/a/tok?x=1&y=2' };

const render = (templates: ReminderTemplates, items: DigestItem[], recipientName = 'Nguyễn Văn A') =>
  renderReminder(
    buildReminderMessage({ today: '2027-10-23', recipientName, unitName: 'Công đoàn cơ sở Trường THCS Phước Minh', items, calendar }),
    templates,
    { messageKey: 'k1', recipient: { contactId: 'c1', name: recipientName, email: 'a@example.test' }, publicUrl: 'https://hanchot.test/', calendarIcs: 'BEGIN:VCALENDAR\r\n' },
  );

describe('the shipped template', () => {
  it('loads and validates', () => {
    const t = loadReminderTemplates(SHIPPED);
    expect(t.source).toBe('templates/reminder.yaml');
    expect(t.text).toContain('{{#items}}');
    expect(t.html).toContain('<a href="{{link}}">');
  });

  it('renders a one-item reminder in Vietnamese, text and HTML, with the .ics attached', () => {
    const message = render(loadReminderTemplates(SHIPPED), [item]);
    expect(message.subject).toBe('[Hạn Chót] Còn 7 ngày: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (hạn 30/10/2027)');
    expect(message.text).toBe(
      [
        'Kính gửi đồng chí Nguyễn Văn A (Công đoàn cơ sở Trường THCS Phước Minh),',
        '',
        'Hạn Chót xin nhắc nhiệm vụ đơn vị được giao:',
        '',
        '1. Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU',
        '   Văn bản: số 159/LĐLĐ – V/v thực hiện Kết luận số 19-KL/TU (mục 3)',
        '   Thời hạn: hằng năm, ngày 30/10',
        '   Hạn: thứ Bảy, 30/10/2027 – còn 7 ngày (5 ngày làm việc)',
        '   Lưu ý: trùng ngày nghỉ, hạn thực tế thứ Hai, 01/11/2027',
        '   Xác nhận đã hoàn thành (hoặc xin gia hạn): https://hanchot.test/a/tok?x=1&y=2',
        '   Báo đã nhận thông báo: https://hanchot.test/',
        '',
        'Xem tất cả nhiệm vụ của đơn vị: https://hanchot.test/',
        '',
        '--',
        'Đồng chí nhận được thư này vì Công đoàn cơ sở Trường THCS Phước Minh được giao các nhiệm vụ trên và đồng chí có tên',
        'trong danh sách người nhận nhắc hạn của đơn vị trên hệ thống Hạn Chót. Khi đơn vị đã hoàn',
        'thành, hãy bấm “Xác nhận đã hoàn thành” tại liên kết của nhiệm vụ để không nhận thêm lời nhắc.',
        'Thư gửi tự động vào thứ Bảy, 23/10/2027; xin đừng trả lời thư này.',
        '',
      ].join('\n'),
    );
    expect(message.html).toContain('<html lang="vi">');
    expect(message.html).toContain('<strong>thứ Bảy, 30/10/2027</strong> – còn 7 ngày (5 ngày làm việc)');
    // The & of the link is escaped in HTML (a browser reads it back as &) and kept as is in text.
    expect(message.html).toContain('<a href="https://hanchot.test/a/tok?x=1&amp;y=2">Xác nhận đã hoàn thành</a>');
    expect(message.html).toContain('<a href="https://hanchot.test/">Xem tất cả nhiệm vụ của đơn vị</a>');
    expect(message.attachments).toEqual([{ filename: 'han-chot.ics', contentType: ICS_CONTENT_TYPE, content: 'BEGIN:VCALENDAR\r\n' }]);
    expect(ICS_CONTENT_TYPE).toBe('text/calendar; charset=utf-8; method=PUBLISH');
    expect(message.text).toBe(message.text.normalize('NFC'));
  });

  it('lists several items, numbered, and falls back to PUBLIC_URL without an action link', () => {
    const { actionUrl: _drop, ...noLink } = item;
    const message = render(loadReminderTemplates(SHIPPED), [
      item,
      { ...noLink, obligationId: 'x.other', title: 'Tổng hợp danh sách đoàn viên', directiveTitle: undefined, clause: undefined, nominalDue: '2027-10-26', effectiveDue: '2027-10-26' },
    ]);
    expect(message.text).toContain('Hạn Chót xin nhắc 2 nhiệm vụ đơn vị được giao:');
    expect(message.text).toContain(
      ['1. Tổng hợp danh sách đoàn viên', '   Văn bản: số 159/LĐLĐ', '   Thời hạn: hằng năm, ngày 30/10', '   Hạn: thứ Ba, 26/10/2027 – còn 3 ngày (2 ngày làm việc)', '   Xác nhận đã hoàn thành (hoặc xin gia hạn): https://hanchot.test/', '   Báo đã nhận thông báo: https://hanchot.test/', '', '2. Báo cáo chuyên đề'].join('\n'),
    );
    expect(message.html.match(/<li /g)).toHaveLength(2);
  });

  it('refuses a javascript: action link and uses PUBLIC_URL instead', () => {
    const message = render(loadReminderTemplates(SHIPPED), [{ ...item, actionUrl: 'javascript:alert(1)' }]);
    expect(message.html).not.toContain('javascript:');
    expect(message.text).not.toContain('javascript:');
  });
});

describe('HTML escaping of every interpolated value', () => {
  it('escapes a title with <script>, & and quotes in HTML and leaves the plain text as written', () => {
    const evil = 'Báo cáo <script>alert("x")</script> & \'trích\' "ngoặc"';
    const message = render(loadReminderTemplates(SHIPPED), [{ ...item, title: evil }], 'Lê "Tí" <b>');
    expect(message.html).not.toContain('<script>');
    expect(message.html).not.toContain('<b>');
    expect(message.html).toContain('Báo cáo &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;trích&#39; &quot;ngoặc&quot;');
    expect(message.html).toContain('Lê &quot;Tí&quot; &lt;b&gt;');
    expect(message.text).toContain(`1. ${evil}`);
    expect(message.text).toContain('Kính gửi đồng chí Lê "Tí" <b> (');
  });
});

describe('template validation at start', () => {
  const ok = 'text: "{{recipientName}}"\nhtml: "<p>{{recipientName}}</p>"\n';

  it('accepts a minimal valid file', () => {
    expect(load(ok)).toMatchObject({ text: '{{recipientName}}', html: '<p>{{recipientName}}</p>' });
  });

  it('rejects an unknown tag, naming the file, line and tag', () => {
    const e = problemsOf(['text: |', '  Kính gửi {{recipientName}}', '  {{#items}}', '  {{titel}}', '  {{/items}}', 'html: "<p>{{unitName}}</p>"', ''].join('\n'));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ file: 'templates/test.yaml', line: 4, field: 'text', tag: '{{titel}}' });
    expect(e.message).toContain('templates/test.yaml:4 (text): {{titel}}: "titel" không phải trường có trong thư nhắc');
    expect(e.message).toContain('title');
  });

  it('rejects an item field used outside the items section', () => {
    const e = problemsOf('text: "{{title}}"\nhtml: "<p></p>"\n');
    expect(e.problems[0]).toMatchObject({ field: 'text', tag: '{{title}}' });
  });

  it('rejects an unknown section name', () => {
    const e = problemsOf('text: "{{#itemz}}x{{/itemz}}"\nhtml: "<p></p>"\n');
    expect(e.problems[0]?.tag).toBe('{{#itemz}}');
  });

  it.each([
    ['triple mustache', '{{{recipientName}}}'],
    ['ampersand', '{{& recipientName}}'],
  ])('rejects %s: data must always be escaped', (_name, tag) => {
    const e = problemsOf(`text: "ok"\nhtml: |\n  <p>\n  ${tag}</p>\n`);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ file: 'templates/test.yaml', field: 'html', line: 4, tag });
    expect(e.message).toMatch(/không được dùng \{\{\{…\}\}\} hoặc \{\{&…\}\}/);
  });

  it('rejects partials and delimiter changes', () => {
    const e = problemsOf('text: "{{> footer}}"\nhtml: "{{=<% %>=}}<%unitName%>"\n');
    expect(e.problems.map((p) => p.field)).toEqual(['text', 'html']);
  });

  it('reports every problem of both bodies together', () => {
    const e = problemsOf('text: "{{a}} {{b}}"\nhtml: "{{{c}}}"\n');
    expect(e.problems.map((p) => p.tag)).toEqual(['{{a}}', '{{b}}', '{{{c}}}']);
  });

  it('rejects a subject key: the subject comes from the view model', () => {
    const e = problemsOf(`${ok}subject: "{{title}}"\n`);
    expect(e.message).toContain('subject');
    expect(e.message).toContain('tiêu đề thư do chương trình tạo');
  });

  it('rejects a missing or empty body', () => {
    expect(problemsOf('text: "x"\n').problems[0]).toMatchObject({ message: expect.stringContaining('thiếu') });
    expect(problemsOf('text: "  "\nhtml: "x"\n').problems[0]).toMatchObject({ field: 'text' });
  });

  it('rejects a mustache syntax error and broken YAML', () => {
    expect(problemsOf('text: "{{#items}}"\nhtml: "x"\n').message).toMatch(/sai cú pháp/);
    expect(problemsOf('text: [\n').message).toMatch(/YAML không đọc được/);
  });
});
