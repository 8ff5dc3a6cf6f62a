import { readFile } from 'node:fs/promises';
import { PostgresAccessStore } from '../../adapters/postgres/access-store.js';
import { AccessError, createApiToken, createUser } from '../../app/access.js';
import { ROLES, type Role } from '../../domain/access.js';
import { CommandFailed, UsageError, type Command } from '../cli-kit.js';
import { openRecord } from '../service.js';
import { ENV_HELP, runtime } from './runtime.js';

const ROLE_HELP = '  --role R        admin (đơn vị và mọi đơn vị cấp dưới), officer (việc của đơn vị mình), viewer (chỉ xem)';
const UNIT_HELP = '  --unit ID       đơn vị của quyền (không đặt: mọi đơn vị; chỉ dành cho quản trị hệ thống)';

function roleOf(value: string | boolean | undefined): Role {
  if (typeof value !== 'string' || !ROLES.includes(value as Role)) throw new UsageError(`cần --role ${ROLES.join(' | ')}`);
  return value as Role;
}

async function withAccess<T>(work: (store: PostgresAccessStore, clock: ReturnType<typeof runtime>['clock']) => Promise<T>): Promise<T> {
  const { env, logger, clock } = runtime();
  const db = await openRecord(env, logger, clock);
  try {
    return await work(new PostgresAccessStore(db), clock);
  } catch (e) {
    if (e instanceof AccessError) throw new CommandFailed(e.message);
    throw e;
  } finally {
    await db.close();
  }
}

async function readPassword(path: string | boolean | undefined): Promise<string> {
  if (typeof path === 'string') return (await readFile(path, 'utf8')).split(/\r?\n/)[0] ?? '';
  if (process.stdin.isTTY) throw new UsageError('đưa mật khẩu qua stdin (echo … | hanchot user add …) hoặc --password-file TỆP');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export const userCommand: Command = {
  name: 'user',
  summary: 'tạo tài khoản đăng nhập trang quản trị',
  usage: 'hanchot user add <tên-đăng-nhập> --role R [--unit ID] [--name "Họ tên"] [--password-file TỆP]',
  help: [
    'Tạo người dùng đăng nhập bằng mật khẩu (lưu dạng băm scrypt). Mật khẩu đọc từ dòng đầu của stdin hoặc --password-file,',
    'không bao giờ từ dòng lệnh (để không lộ trong lịch sử shell), tối thiểu 10 ký tự.',
    '',
    ROLE_HELP,
    UNIT_HELP,
    '  --name TEXT     họ tên hiển thị',
    '',
    'Ví dụ: printf "%s\\n" "$MAT_KHAU" | hanchot user add lan --role officer --unit dmc.thpt-dmc --name "Nguyễn Thị Lan"',
    ENV_HELP,
  ].join('\n'),
  options: { role: { type: 'string' }, unit: { type: 'string' }, name: { type: 'string' }, 'password-file': { type: 'string' } },
  positionals: { min: 2, max: 2 },
  async run({ values, positionals }, io) {
    if (positionals[0] !== 'add') throw new UsageError(`không có thao tác "${positionals[0]}"; dùng: add`);
    const role = roleOf(values.role);
    const password = await readPassword(values['password-file']);
    return withAccess(async (store, clock) => {
      const user = await createUser(
        { store, clock },
        { username: positionals[1]!, displayName: typeof values.name === 'string' ? values.name : positionals[1]!, password, role, unitId: typeof values.unit === 'string' ? values.unit : null },
      );
      io.out(`Đã tạo người dùng ${user.username} (${user.role}${user.unitId ? `, ${user.unitId}` : ', mọi đơn vị'}).`);
      return 0;
    });
  },
};

export const tokenCommand: Command = {
  name: 'token',
  summary: 'tạo, liệt kê hoặc thu hồi mã truy cập API cho máy',
  usage: 'hanchot token create <tên> --role R [--unit ID] | list | revoke <số>',
  help: [
    'Mã truy cập dùng trong tiêu đề "Authorization: Bearer <mã>". Mã chỉ in ra một lần khi tạo; hệ thống chỉ lưu',
    'băm SHA-256 của nó. Thu hồi có hiệu lực ngay.',
    '',
    ROLE_HELP,
    UNIT_HELP,
    ENV_HELP,
  ].join('\n'),
  options: { role: { type: 'string' }, unit: { type: 'string' } },
  positionals: { min: 1, max: 2 },
  async run({ values, positionals }, io) {
    const [action, arg] = positionals as [string, string | undefined];
    if (action === 'create') {
      if (!arg) throw new UsageError('token create cần một tên');
      const role = roleOf(values.role);
      return withAccess(async (store, clock) => {
        const { token, row } = await createApiToken({ store, clock }, { name: arg, role, unitId: typeof values.unit === 'string' ? values.unit : null, createdBy: 'cli' });
        io.out(token);
        io.err(`Mã số ${row.id} "${row.name}" (${row.role}${row.unitId ? `, ${row.unitId}` : ', mọi đơn vị'}). Lưu mã ở nơi an toàn: nó không được in lại.`);
        return 0;
      });
    }
    if (action === 'list') {
      return withAccess(async (store) => {
        const rows = await store.apiTokens();
        io.out(rows.length === 0 ? 'Chưa có mã truy cập nào.' : rows.map((r) => `#${r.id} ${r.name} — ${r.role}${r.unitId ? `, ${r.unitId}` : ', mọi đơn vị'}${r.revokedAt ? ' (đã thu hồi)' : ''}`).join('\n'));
        return 0;
      });
    }
    if (action === 'revoke') {
      const id = Number(arg);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError(`"${arg ?? ''}" không phải số mã`);
      return withAccess(async (store, clock) => {
        if (!(await store.revokeApiToken(id, clock.now()))) throw new CommandFailed(`không có mã số ${id} còn hiệu lực`);
        io.out(`Đã thu hồi mã số ${id}.`);
        return 0;
      });
    }
    throw new UsageError(`không có thao tác "${action}"; dùng create, list hoặc revoke`);
  },
};
