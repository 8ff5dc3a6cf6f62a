import type { DateTime } from 'luxon';
import { addDays } from '../../domain/civil-date.js';
import { localDateOf, zonedInstant } from '../../domain/instant.js';

/**
 * What to do with a Zalo error code: the decision tables of the reference (§4.1 OA, §4.2 ZNS,
 * §4.3 transport) and issue 4 §3, written as data so they can be read, tested and changed in
 * one place.
 *
 * - `refresh`: the access token was refused; refresh it once (single flight) and retry once.
 * - `retry`: try again with backoff; `maxAttempts` bounds it below the queue's own limit.
 * - `defer`: not now, and no attempt is consumed; `until` says when (see `deferUntil`).
 * - `permanent`: never going to work on this channel for this message; fall back to the next
 *   channel. `alert` marks the errors an admin must fix (account, billing, configuration).
 *
 * Unknown codes (not in either table) are `permanent` with `alert: true`: a reminder is
 * time-bound, so the contact gets it on the next channel (email) at once rather than after a
 * blind retry, and the alert tells an admin the table needs the new code. Application errors
 * come back with HTTP 200 after Zalo refused the message, so falling back cannot double-send.
 */
export type ZaloDecision =
  | { kind: 'refresh' }
  | { kind: 'retry'; maxAttempts?: number }
  | { kind: 'defer'; until: 'night_end' | 'next_day' | 'next_minute' | 'later'; alert?: boolean }
  | { kind: 'permanent'; alert?: boolean };

export type ZaloApi = 'oa' | 'zns';
export type DeferKind = Extract<ZaloDecision, { kind: 'defer' }>['until'];

interface Row {
  readonly decision: ZaloDecision;
  readonly meaning: string;
}

const REFRESH: ZaloDecision = { kind: 'refresh' };
const GIVE_UP: ZaloDecision = { kind: 'permanent' };
const GIVE_UP_ALERT: ZaloDecision = { kind: 'permanent', alert: true };
const NIGHT: ZaloDecision = { kind: 'defer', until: 'night_end' };
const NEXT_DAY: ZaloDecision = { kind: 'defer', until: 'next_day' };

const row = (decision: ZaloDecision, meaning: string): Row => ({ decision, meaning });

/** Codes whose meaning is the same on both APIs (or that only one API returns). */
const COMMON: ReadonlyMap<number, Row> = new Map<number, Row>([
  // Token: refresh once, retry once. -220 is also seen on ZNS, -124 is ZNS's code (§4.4).
  [-216, row(REFRESH, 'access token không hợp lệ')],
  [-220, row(REFRESH, 'access token đã hết hạn hoặc bị thu hồi')],
  [-124, row(REFRESH, 'access token không hợp lệ')],

  // Retry with backoff.
  [-32, row({ kind: 'retry' }, 'vượt giới hạn gọi API mỗi phút (rate limit)')],
  [-200, row({ kind: 'retry', maxAttempts: 2 }, 'gửi tin thất bại (lỗi chung)')],

  // Not now: night window, daily quota, balance.
  [-133, row(NIGHT, 'không gửi ZNS ban đêm (22:00–06:00)')],
  [-234, row(NIGHT, 'không gửi tin ban đêm (22:00–06:00)')],
  [-144, row(NEXT_DAY, 'OA đã hết hạn mức ZNS trong ngày')],
  [-147, row(NEXT_DAY, 'mẫu ZNS đã hết hạn mức trong ngày')],
  [-211, row(NEXT_DAY, 'OA đã hết hạn mức gửi tin')],
  [-1472, row(NEXT_DAY, 'người nhận đã đạt giới hạn tin hậu mãi trong ngày')],
  [-115, row({ kind: 'defer', until: 'later', alert: true }, 'tài khoản ZNS hết số dư, cần nạp thêm')],

  // Recipient: this channel cannot reach them; the next channel takes over.
  [-213, row(GIVE_UP, 'người dùng chưa quan tâm (follow) OA')],
  [-230, row(GIVE_UP, 'người dùng không tương tác với OA trong 7 ngày qua')],
  [-232, row(GIVE_UP, 'người dùng chưa tương tác với OA hoặc tương tác đã hết hạn')],
  [-217, row(GIVE_UP, 'người dùng đã chặn lời mời từ OA')],
  [-218, row(GIVE_UP, 'người nhận đã hết hạn mức nhận tin')],
  [-227, row(GIVE_UP, 'tài khoản người dùng bị khoá hoặc không hoạt động quá 45 ngày')],
  [-244, row(GIVE_UP, 'người dùng đã chặn loại tin này từ OA')],
  [-108, row(GIVE_UP, 'số điện thoại không hợp lệ')],
  [-110, row(GIVE_UP, 'phiên bản Zalo của người nhận không hỗ trợ')],
  [-114, row(GIVE_UP, 'người dùng không hoạt động, từ chối nhận tin hoặc lỗi nội bộ của Zalo')],
  [-118, row(GIVE_UP, 'số điện thoại không có tài khoản Zalo (hoặc đã bị vô hiệu)')],
  [-119, row(GIVE_UP, 'tài khoản không thể nhận tin')],
  [-139, row(GIVE_UP, 'người dùng từ chối nhận loại ZNS này')],
  [-140, row(GIVE_UP, 'người dùng không đủ điều kiện nhận ZNS')],
  [-141, row(GIVE_UP, 'người dùng từ chối nhận ZNS từ OA này')],
  [-1441, row(GIVE_UP, 'OA đã hết hạn mức tin hậu mãi trong tháng')],
  [-1471, row(GIVE_UP, 'người nhận đã đạt giới hạn tin hậu mãi trong tháng')],

  // Payload: our request is wrong; retrying the same request cannot help.
  [-106, row(GIVE_UP, 'phương thức không được hỗ trợ')],
  [-107, row(GIVE_UP, 'message ID không hợp lệ')],
  [-111, row(GIVE_UP, 'dữ liệu mẫu (template_data) trống')],
  [-112, row(GIVE_UP, 'dữ liệu mẫu không hợp lệ')],
  [-1121, row(GIVE_UP, 'tham số mẫu vượt độ dài cho phép')],
  [-1122, row(GIVE_UP, 'thiếu tham số mẫu')],
  [-1123, row(GIVE_UP, 'tham số mẫu không hợp lệ')],
  [-1124, row(GIVE_UP, 'tham số mẫu sai định dạng')],
  [-113, row(GIVE_UP, 'nút bấm không hợp lệ')],
  [-116, row(GIVE_UP, 'nội dung không hợp lệ')],
  [-126, row(GIVE_UP, 'ví chế độ phát triển (development) đã hết')],
  [-127, row(GIVE_UP, 'mẫu thử chỉ gửi được cho quản trị viên')],
  [-132, row(GIVE_UP, 'tham số không hợp lệ')],
  [-201, row(GIVE_UP, 'tham số không hợp lệ')],
  [-210, row(GIVE_UP, 'tham số vượt giới hạn cho phép (ví dụ tin quá dài)')],
  [-233, row(GIVE_UP, 'loại tin không hợp lệ hoặc không được hỗ trợ')],

  // Template, account and billing: an admin must act.
  [-109, row(GIVE_UP_ALERT, 'template ID không hợp lệ')],
  [-131, row(GIVE_UP_ALERT, 'mẫu ZNS chưa được duyệt')],
  [-146, row(GIVE_UP_ALERT, 'mẫu ZNS bị vô hiệu vì chất lượng thấp')],
  [-101, row(GIVE_UP_ALERT, 'ứng dụng không hợp lệ')],
  [-102, row(GIVE_UP_ALERT, 'ứng dụng không tồn tại')],
  [-103, row(GIVE_UP_ALERT, 'ứng dụng chưa được kích hoạt')],
  [-104, row(GIVE_UP_ALERT, 'secret key của ứng dụng không hợp lệ')],
  [-105, row(GIVE_UP_ALERT, 'ứng dụng chưa liên kết với OA')],
  [-117, row(GIVE_UP_ALERT, 'OA/ứng dụng không có quyền dùng mẫu này')],
  [-125, row(GIVE_UP_ALERT, 'ID Official Account không hợp lệ')],
  [-1241, row(GIVE_UP_ALERT, 'appsecret_proof không hợp lệ')],
  [-135, row(GIVE_UP_ALERT, 'OA chưa có quyền gửi ZNS')],
  [-1351, row(GIVE_UP_ALERT, 'OA bị chặn gửi ZNS')],
  [-136, row(GIVE_UP_ALERT, 'cần liên kết Zalo Cloud Account')],
  [-137, row(GIVE_UP_ALERT, 'Zalo Cloud Account thanh toán thất bại')],
  [-138, row(GIVE_UP_ALERT, 'ứng dụng không có quyền gửi ZNS')],
  [-204, row(GIVE_UP_ALERT, 'Official Account đã bị vô hiệu')],
  [-205, row(GIVE_UP_ALERT, 'Official Account không tồn tại')],
  [-209, row(GIVE_UP_ALERT, 'API không được hỗ trợ (ứng dụng chưa kích hoạt)')],
  [-212, row(GIVE_UP_ALERT, 'ứng dụng chưa đăng ký API này')],
  [-219, row(GIVE_UP_ALERT, 'ứng dụng đã bị gỡ hoặc vô hiệu')],
  [-221, row(GIVE_UP_ALERT, 'OA cần được xác thực')],
  [-223, row(GIVE_UP_ALERT, 'OA chưa cấp quyền cho API này')],
  [-224, row(GIVE_UP_ALERT, 'OA cần nâng cấp gói dịch vụ')],
  [-240, row(GIVE_UP_ALERT, 'API tin nhắn V2 đã ngừng, cần dùng V3 (sai endpoint)')],
  [-242, row(GIVE_UP_ALERT, 'appsecret_proof không hợp lệ')],
  [-248, row(GIVE_UP_ALERT, 'vi phạm tiêu chuẩn nền tảng Zalo')],
  [-320, row(GIVE_UP_ALERT, 'ứng dụng chưa liên kết Zalo Cloud Account')],
  [-321, row(GIVE_UP_ALERT, 'Zalo Cloud Account hết tiền')],
]);

/** Codes that mean different things on the two APIs. */
const BY_API: Readonly<Record<ZaloApi, ReadonlyMap<number, Row>>> = {
  oa: new Map([
    // OA: "attachment_id was expired"; a text message has none, so retry a little like ZNS.
    [-100, row({ kind: 'retry', maxAttempts: 3 }, 'attachment_id đã hết hạn hoặc lỗi không xác định')],
  ]),
  zns: new Map([[-100, row({ kind: 'retry', maxAttempts: 3 }, 'lỗi không xác định, thử lại sau')]]),
};

/** Every code with an explicit decision (for tests and the admin view). */
export function knownCodes(api: ZaloApi): number[] {
  return [...new Set([...COMMON.keys(), ...BY_API[api].keys()])].sort((a, b) => b - a);
}

/** The decision for a Zalo application error code (`error` in the response body). */
export function decide(code: number, api: ZaloApi): { decision: ZaloDecision; meaning: string } {
  const found = BY_API[api].get(code) ?? COMMON.get(code);
  if (found) return { decision: found.decision, meaning: found.meaning };
  return { decision: { kind: 'permanent', alert: true }, meaning: `mã lỗi Zalo chưa biết (${code})` };
}

/**
 * The decision for a failure below the API (ZaloTransportError). Zalo documents no server-side
 * idempotency, so a send that timed out or lost its connection may have been delivered: those
 * are retried at most 3 times in all. An HTTP 5xx is retried with the queue's usual limit.
 */
export function decideTransport(kind: 'timeout' | 'network' | 'http', status?: number): { decision: ZaloDecision; meaning: string } {
  switch (kind) {
    case 'timeout':
      return { decision: { kind: 'retry', maxAttempts: 3 }, meaning: 'Zalo không trả lời kịp (hết thời gian chờ)' };
    case 'network':
      return { decision: { kind: 'retry', maxAttempts: 3 }, meaning: 'không kết nối được tới Zalo' };
    case 'http':
      return { decision: { kind: 'retry' }, meaning: `Zalo trả về lỗi HTTP${status ? ` ${status}` : ''}` };
  }
}

const MINUTE_MS = 60_000;

/**
 * When deferred work should run again, in `zone` (Vietnam by default):
 * - `night_end`: the next 06:00 local plus 0–10 min of jitter. Before 06:00 that is today's
 *   06:00, from 22:00 (and any time after noon) tomorrow's. Between 06:00 and 12:00 Zalo saying
 *   "night" means our clock and Zalo's disagree by a little, so it is now + 5 min + jitter
 *   rather than a day later.
 * - `next_day`: the next local midnight + 5 min, plus 0–10 min of jitter (quota resets at
 *   midnight). In the first 5 minutes after midnight, today's 00:05 (same clock-skew reason).
 * - `next_minute`: the start of the next minute plus 0–20 s of jitter.
 * - `later`: one hour from now.
 *
 * `random` returns [0, 1) like Math.random; nothing here reads the clock.
 */
export function deferUntil(kind: DeferKind, now: DateTime, zone: string = 'Asia/Ho_Chi_Minh', random: () => number = Math.random): DateTime {
  const jitter = (maxMs: number) => Math.floor(clamp01(random()) * maxMs);
  const local = now.setZone(zone);
  const today = localDateOf(now, zone);
  const minutes = local.hour * 60 + local.minute;
  switch (kind) {
    case 'night_end': {
      if (minutes < 6 * 60) return zonedInstant(today, '06:00', zone).plus({ milliseconds: jitter(10 * MINUTE_MS) });
      if (minutes < 12 * 60) return local.plus({ milliseconds: 5 * MINUTE_MS + jitter(10 * MINUTE_MS) });
      return zonedInstant(addDays(today, 1), '06:00', zone).plus({ milliseconds: jitter(10 * MINUTE_MS) });
    }
    case 'next_day': {
      const day = minutes < 5 ? today : addDays(today, 1);
      return zonedInstant(day, '00:05', zone).plus({ milliseconds: jitter(10 * MINUTE_MS) });
    }
    case 'next_minute':
      return local.startOf('minute').plus({ milliseconds: MINUTE_MS + jitter(20_000) });
    case 'later':
      return local.plus({ hours: 1 });
  }
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 0.999999 : x;
}
