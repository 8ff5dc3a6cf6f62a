import { formatVnDateWithWeekday } from '../domain/civil-date.js';
import { describeStatus } from '../app/assignments.js';
import type { AssignmentView } from '../app/stores.js';
import { escapeHtml as e } from '../app/messages/render-reminder.js';

/**
 * The small server-rendered pages behind one-click links. Every value from data goes through
 * escapeHtml; there is no script at all.
 */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(title)} – Hạn Chót</title>
<style>
body { margin: 0 auto; max-width: 40rem; padding: 1rem; font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #1a1a1a; }
h1 { font-size: 1.3rem; }
label { display: block; margin-top: .75rem; font-weight: bold; }
input, textarea { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }
button { margin-top: 1rem; padding: .6rem 1.2rem; font: inherit; cursor: pointer; }
.box { border: 1px solid #ddd; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.ok { color: #0a6b2d; } .warn { color: #8a5a00; } .bad { color: #b00020; }
details { margin-top: 1.5rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

export function assignmentSummary(a: AssignmentView): string {
  return `<div class="box">
<p><strong>${e(a.title)}</strong><br>
Văn bản: số ${e(a.directiveNumber)}${a.directiveTitle ? ` – ${e(a.directiveTitle)}` : ''}<br>
Đơn vị: ${e(a.unitName)}<br>
Hạn: ${e(formatVnDateWithWeekday(a.due))}${a.due !== a.occurrenceDue ? ' (đã gia hạn)' : ''}<br>
Trạng thái: <strong>${e(describeStatus(a.status))}</strong></p>
</div>`;
}

/** The confirmation page a link opens: GET changes nothing, so a mail scanner that prefetches it does no harm. */
export function confirmPage(a: AssignmentView, action: 'done' | 'ack', formAction: string): string {
  if (action === 'ack') {
    return page(
      'Xác nhận đã nhận',
      `<h1>Xác nhận đã nhận thông báo</h1>
${assignmentSummary(a)}
<p>Bấm nút dưới đây để báo đơn vị đã nhận lời nhắc này. Việc này không dừng các lời nhắc sau; khi hoàn thành, hãy dùng liên kết “Xác nhận đã hoàn thành”.</p>
<form method="post" action="${e(formAction)}">
<input type="hidden" name="intent" value="ack">
<button type="submit">Đã nhận</button>
</form>`,
    );
  }
  const done = a.status === 'done_on_time' || a.status === 'done_late';
  return page(
    'Xác nhận đã hoàn thành',
    `<h1>Xác nhận đã hoàn thành</h1>
${assignmentSummary(a)}
${
  done
    ? `<p class="ok">Đơn vị đã báo hoàn thành${a.completedAt ? ` lúc ${e(a.completedAt.setZone('Asia/Ho_Chi_Minh').toFormat('HH:mm dd/LL/yyyy'))}` : ''}. Không cần làm gì thêm.</p>`
    : a.status === 'waived'
      ? '<p class="ok">Đơn vị được miễn nhiệm vụ này. Không cần làm gì thêm.</p>'
      : `<form method="post" action="${e(formAction)}">
<input type="hidden" name="intent" value="done">
<label for="note">Ghi chú (không bắt buộc)</label>
<textarea id="note" name="note" rows="3" maxlength="2000"></textarea>
<label for="evidence">Liên kết minh chứng (không bắt buộc)</label>
<input id="evidence" name="evidence" type="url" maxlength="2000" placeholder="https://…">
<button type="submit">Xác nhận đã hoàn thành</button>
</form>
<details>
<summary>Xin gia hạn</summary>
<form method="post" action="${e(formAction)}">
<input type="hidden" name="intent" value="extend">
<label for="proposedDue">Đề nghị hạn mới</label>
<input id="proposedDue" name="proposedDue" type="date" required>
<label for="reason">Lý do</label>
<textarea id="reason" name="reason" rows="3" maxlength="2000" required></textarea>
<button type="submit">Gửi đề nghị gia hạn</button>
</form>
</details>`
}`,
  );
}

export function resultPage(title: string, message: string, tone: 'ok' | 'warn' | 'bad', a?: AssignmentView): string {
  return page(title, `<h1>${e(title)}</h1>\n<p class="${tone}">${e(message)}</p>\n${a ? assignmentSummary(a) : ''}`);
}

export const LINK_PROBLEMS: Record<'malformed' | 'bad_signature' | 'expired' | 'revoked', { title: string; message: string }> = {
  revoked: { title: 'Liên kết không còn dùng được', message: 'Người nhận liên kết này không còn trong danh sách của đơn vị. Hãy liên hệ văn phòng LĐLĐ để cập nhật người nhận.' },
  malformed: { title: 'Liên kết không hợp lệ', message: 'Liên kết này không đúng dạng (có thể bị cắt khi sao chép). Hãy mở lại liên kết trong thư hoặc tin nhắn gốc.' },
  bad_signature: { title: 'Liên kết không hợp lệ', message: 'Liên kết này đã bị sửa đổi nên không dùng được. Hãy mở lại liên kết trong thư hoặc tin nhắn gốc.' },
  expired: { title: 'Liên kết đã hết hạn', message: 'Liên kết này đã hết hạn. Hãy dùng liên kết trong lời nhắc mới nhất, hoặc liên hệ văn phòng LĐLĐ để cập nhật.' },
};

export function loginPage(problem?: string): string {
  return page(
    'Đăng nhập',
    `<h1>Hạn Chót – Đăng nhập</h1>
${problem ? `<p class="bad">${e(problem)}</p>` : ''}
<form method="post" action="/login">
<label for="username">Tên đăng nhập</label>
<input id="username" name="username" autocomplete="username" required maxlength="100">
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000">
<button type="submit">Đăng nhập</button>
</form>`,
  );
}

/** Xanh from 90 % on time, vàng from 70 %, đỏ below; grey before anything came due. */
export function trafficLight(rate: number | null): { word: string; colour: string } {
  if (rate === null) return { word: 'chưa có', colour: '#777' };
  if (rate >= 0.9) return { word: 'xanh', colour: '#0a6b2d' };
  if (rate >= 0.7) return { word: 'vàng', colour: '#8a5a00' };
  return { word: 'đỏ', colour: '#b00020' };
}

/** /api/docs: the OpenAPI document as a readable page (no script; the JSON is at /api/docs/json). */
export function apiDocsPage(doc: { paths: Record<string, Record<string, { summary: string; description: string; requestBody?: { content: Record<string, { schema: unknown }> }; parameters: { name: string; in: string; required: boolean }[] }>> }): string {
  const items = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const params = op.parameters.map((p) => `${e(p.name)} (${e(p.in)}${p.required ? ', bắt buộc' : ''})`).join(', ');
        const body = op.requestBody ? `<pre>${e(JSON.stringify(op.requestBody.content['application/json']?.schema, null, 2))}</pre>` : '';
        return `<div class="box"><p><strong>${e(method.toUpperCase())} ${e(path)}</strong><br>${e(op.summary)}<br><small>${e(op.description)}${params ? ` Tham số: ${params}.` : ''}</small></p>${body}</div>`;
      }),
    )
    .join('\n');
  return page('API', `<h1>Hạn Chót API v1</h1>\n<p>Tài liệu OpenAPI 3.1: <a href="/api/docs/json">/api/docs/json</a>. Xác thực: <code>Authorization: Bearer …</code> hoặc phiên đăng nhập (thao tác ghi cần <code>X-CSRF-Token</code>).</p>\n${items}`);
}
