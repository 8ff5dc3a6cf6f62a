import { z } from 'zod';
import { directiveHeader } from '../app/catalogue/schemas.js';
import { contactBody, obligationBody, unitBody, unitPatchBody } from '../app/catalogue-edit.js';
import { calendarDateParams, calendarDayBody, calendarSwapBody } from '../app/calendar-edit.js';
import { ackBody, completeBody, decisionBody, deliveriesQuery, extensionBody, idParams, obligationsQuery, previewBody, reasonBody, refParams, remindParams, reportQuery, yearParams } from './schemas.js';

/**
 * The OpenAPI 3.1 description of /api/v1, built from the same zod schemas the handlers parse
 * with, so the document cannot drift from what the server accepts.
 */
interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
  readonly summary: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly roles: string;
  readonly created?: boolean;
  /** The success status when it is not 200/201/204. */
  readonly status?: number;
}

const ASSIGNMENT = '/api/v1/assignments/{obligationId}/{occurrenceKey}/{unitId}';
const decisionParams = z.strictObject({ id: z.number().int().positive() });

export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: ASSIGNMENT, summary: 'Một nhiệm vụ của một đơn vị, với lịch sử và các đề nghị gia hạn', params: refParams, roles: 'read' },
  { method: 'post', path: `${ASSIGNMENT}/complete`, summary: 'Ghi nhận hoàn thành (đúng hạn / trễ hạn); làm lại không thay đổi gì', params: refParams, body: completeBody, roles: 'complete: officer of the unit, admin of it or above' },
  { method: 'post', path: `${ASSIGNMENT}/reopen`, summary: 'Mở lại (ghi nhật ký)', params: refParams, body: reasonBody, roles: 'reopen: admin of the unit or above' },
  { method: 'post', path: `${ASSIGNMENT}/acknowledge`, summary: '"Đã nhận" một bước nhắc', params: refParams, body: ackBody, roles: 'acknowledge: officer of the unit, admin' },
  { method: 'post', path: `${ASSIGNMENT}/waive`, summary: 'Miễn cho đơn vị (ghi nhật ký)', params: refParams, body: reasonBody, roles: 'waive: admin above the unit' },
  { method: 'post', path: `${ASSIGNMENT}/extension-requests`, summary: 'Đề nghị gia hạn', params: refParams, body: extensionBody, roles: 'request_extension: officer of the unit, admin', created: true },
  { method: 'get', path: '/api/v1/extension-requests', summary: 'Các đề nghị gia hạn trong phạm vi của người gọi', query: z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() }), roles: 'read' },
  { method: 'post', path: '/api/v1/extension-requests/{id}/approve', summary: 'Duyệt gia hạn: đổi hạn của đơn vị, lập lại lịch nhắc và chuyển cấp', params: decisionParams, body: decisionBody, roles: 'decide_extension: admin above the unit' },
  { method: 'post', path: '/api/v1/extension-requests/{id}/reject', summary: 'Từ chối gia hạn', params: decisionParams, body: decisionBody, roles: 'decide_extension: admin above the unit' },
  { method: 'get', path: '/api/v1/report', summary: 'Đúng hạn / trễ hạn / quá hạn / chưa đến hạn theo đơn vị và nhiệm vụ', query: reportQuery, roles: 'read' },
  { method: 'get', path: '/api/v1/deliveries', summary: 'Nhật ký gửi, mới nhất trước (lọc theo nhiệm vụ, đơn vị, trạng thái, kênh)', query: deliveriesQuery, roles: 'read' },
  { method: 'post', path: '/api/v1/preview', summary: 'Các kỳ hạn và lời nhắc sắp tới của một quy tắc, trước khi lưu', body: previewBody, roles: 'any signed-in caller' },
  { method: 'get', path: '/api/v1/directives', summary: 'Các văn bản (kèm nơi quản lý: config hoặc console)', roles: 'read' },
  { method: 'post', path: '/api/v1/directives', summary: 'Thêm văn bản (quản lý trên trang quản trị)', body: directiveHeader, roles: 'admin', created: true },
  { method: 'get', path: '/api/v1/obligations', summary: 'Các nhiệm vụ trong phạm vi của người gọi', query: obligationsQuery, roles: 'read' },
  { method: 'get', path: '/api/v1/obligations/{id}', summary: 'Một nhiệm vụ', params: idParams, roles: 'read' },
  { method: 'post', path: '/api/v1/obligations', summary: 'Thêm nhiệm vụ: quy tắc hạn, đơn vị được giao, lịch nhắc, chuyển cấp; lập lịch ngay', body: obligationBody, roles: 'manage: admin of every assigned unit', created: true },
  { method: 'put', path: '/api/v1/obligations/{id}', summary: 'Sửa nhiệm vụ (chỉ nhiệm vụ tạo trên trang quản trị); lập lại lịch ngay', params: idParams, body: obligationBody, roles: 'manage' },
  { method: 'delete', path: '/api/v1/obligations/{id}', summary: 'Xóa nhiệm vụ (đánh dấu xóa, hủy các hẹn giờ)', params: idParams, roles: 'manage' },
  { method: 'get', path: '/api/v1/units', summary: 'Cây đơn vị và người nhận trong phạm vi của người gọi', roles: 'read' },
  { method: 'post', path: '/api/v1/units', summary: 'Thêm đơn vị dưới một đơn vị có sẵn (nhận các nhiệm vụ giao cho "mọi đơn vị trực thuộc" ở lượt lập lịch kế tiếp)', body: unitBody, roles: 'manage: admin of the parent or above', created: true },
  { method: 'patch', path: '/api/v1/units/{id}', summary: 'Sửa đơn vị (chỉ đơn vị thêm trên trang quản trị): đổi tên, chuyển sang đơn vị cấp trên khác (không tạo vòng), lãnh đạo, Ban Thường vụ; chuyển đơn vị thì lập lại lịch ngay', params: idParams, body: unitPatchBody, roles: 'manage: admin of the unit or above, and of the new parent when moving' },
  { method: 'post', path: '/api/v1/contacts', summary: 'Thêm người nhận cho một đơn vị (quản lý trên trang quản trị)', body: contactBody, roles: 'manage: admin of the unit or above', created: true },
  { method: 'put', path: '/api/v1/contacts/{id}', summary: 'Sửa người nhận (chỉ người nhận thêm trên trang quản trị)', params: idParams, body: contactBody, roles: 'manage' },
  { method: 'delete', path: '/api/v1/contacts/{id}', summary: 'Xóa người nhận (đánh dấu xóa)', params: idParams, roles: 'manage' },
  { method: 'get', path: '/api/v1/calendar/{year}', summary: 'Ngày nghỉ lễ, nghỉ bù, làm bù của một năm, kèm văn bản căn cứ và các sửa đổi trên trang quản trị (edits)', params: yearParams, roles: 'any signed-in caller' },
  { method: 'post', path: '/api/v1/calendar/{year}/days', summary: 'Thêm một ngày nghỉ (ngày làm việc được cho nghỉ thêm); lập lại lịch nhắc ngay', params: yearParams, body: calendarDayBody, roles: 'admin of the root unit', created: true },
  { method: 'post', path: '/api/v1/calendar/{year}/swaps', summary: 'Thêm hoán đổi ngày làm việc: nghỉ ngày "off", làm bù ngày "work" (thứ Bảy / Chủ nhật); lập lại lịch nhắc ngay', params: yearParams, body: calendarSwapBody, roles: 'admin of the root unit', created: true },
  { method: 'delete', path: '/api/v1/calendar/{year}/days/{date}', summary: 'Bỏ ngày trong lịch: hoàn tác sửa đổi trên trang quản trị ở ngày đó (cả hai ngày của hoán đổi), hoặc bỏ ngày hoán đổi / nghỉ thêm mà config/ ghi', params: calendarDateParams, roles: 'admin of the root unit' },
  { method: 'post', path: '/api/v1/occurrences/{obligationId}/{occurrenceKey}/remind-now', summary: 'Gửi nhắc ngay một kỳ cho mọi đơn vị chưa hoàn thành (bỏ qua giờ yên lặng; gửi lại trong ngày không gửi trùng)', params: remindParams, roles: 'manage: admin of every assigned unit', status: 202 },
  { method: 'get', path: '/api/v1/me', summary: 'Người gọi là ai (vai trò, đơn vị)', roles: 'any signed-in caller' },
];

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

function parameters(op: Operation) {
  const out: object[] = [];
  for (const [where, schema] of [
    ['path', op.params],
    ['query', op.query],
  ] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      const fieldSchema = field as z.ZodType;
      out.push({ name, in: where, required: where === 'path' || !fieldSchema.safeParse(undefined).success, schema: schemaOf(fieldSchema) });
    }
  }
  return out;
}

export function openApiDocument(publicUrl: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      description: `Quyền: ${op.roles}.`,
      security: [{ bearer: [] }, { session: [] }],
      parameters: parameters(op),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body) } } } } : {}),
      responses: {
        [op.status ? String(op.status) : op.created ? '201' : op.method === 'delete' ? '204' : '200']: { description: 'OK' },
        '400': { description: 'Yêu cầu sai: mọi lỗi theo từng trường (issues)' },
        '401': { description: 'Chưa xác thực' },
        '403': { description: 'Không có quyền, hoặc thiếu X-CSRF-Token khi dùng phiên đăng nhập' },
        '404': { description: 'Không có' },
        '409': { description: 'Xung đột trạng thái' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hạn Chót API', version: '1', description: 'Nhắc hạn các nhiệm vụ trong văn bản công đoàn.' },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'HANCHOT_ADMIN_TOKEN hoặc mã tạo bằng hanchot token create' },
        session: { type: 'apiKey', in: 'cookie', name: 'hc_session', description: 'Phiên đăng nhập trang quản trị; thao tác ghi cần tiêu đề X-CSRF-Token' },
      },
    },
    paths,
  };
}
