import { CommandFailed, UsageError, type Command } from '../cli-kit.js';
import { feedUrl } from '../messaging.js';
import { openRecord, resolveSecret } from '../service.js';
import { PostgresStore } from '../../adapters/postgres/store.js';
import { ENV_HELP, runtime } from './runtime.js';

export const feedCommand: Command = {
  name: 'feed',
  summary: 'in địa chỉ đăng ký lịch (iCalendar) các hạn của một đơn vị hoặc một người nhận',
  usage: 'hanchot feed --unit ID | --contact ID',
  help: [
    'In địa chỉ /ical/<mã>.ics để thêm vào Google Calendar, Outlook hoặc lịch điện thoại ("Thêm lịch từ URL").',
    'Lịch gồm mọi kỳ hạn của đơn vị từ 3 tháng trước đến 18 tháng tới, cập nhật mỗi 6 giờ, kèm liên kết',
    'xác nhận hoàn thành. Địa chỉ được ký bằng HANCHOT_SECRET: đổi bí mật thì mọi địa chỉ cũ hết hiệu lực.',
    '',
    '  --unit ID      lịch của một đơn vị (liên kết hoàn thành đứng tên chủ tịch đơn vị)',
    '  --contact ID   lịch của một người nhận (đơn vị của người đó)',
    '',
    'Ví dụ: hanchot feed --unit dmc.thpt-dmc',
    ENV_HELP,
  ].join('\n'),
  options: { unit: { type: 'string' }, contact: { type: 'string' } },
  async run({ values }, io) {
    const unit = typeof values.unit === 'string' ? values.unit : undefined;
    const contact = typeof values.contact === 'string' ? values.contact : undefined;
    if ((unit === undefined) === (contact === undefined)) throw new UsageError('cần đúng một trong --unit ID hoặc --contact ID');
    const { env, logger, clock } = runtime();
    const secret = await resolveSecret(env);
    const db = await openRecord(env, logger, clock);
    try {
      const claims = unit ? { kind: 'unit' as const, id: unit } : { kind: 'contact' as const, id: contact! };
      const subject = await new PostgresStore(db).feedSubject(claims.kind, claims.id);
      if (!subject) throw new CommandFailed(`không có ${unit ? 'đơn vị' : 'người nhận'} "${claims.id}" (chạy hanchot sync nếu vừa thêm vào config/)`);
      io.out(feedUrl(env.PUBLIC_URL, secret, claims));
      io.err(`Lịch các hạn của ${subject.unitName}.`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
