/**
 * Directive import in the console (issue 7 §3, issue 6 §2): paste a directive, review each
 * deadline as a draft with its sentence, accept or reject. Drafts are never planned; an accepted
 * draft is an ordinary obligation, planned at once. Real PostgreSQL; the queue is recorded.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpWorld, signIn as signInAs } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

const seed = (name: string) => readFileSync(new URL(`../fixtures/seeds/${name}`, import.meta.url), 'utf8');
async function setup() {
  const { h, app, access } = await httpWorld({ start: '2027-11-25T09:00:00+07:00', loaded, cleanups });
  const signIn = async (username: string, role: 'admin' | 'viewer', unitId: string) => {
    const client = await signInAs(app, access, h.clock, { username, role, unitId });
    const importPage = await client.get('/import');
    return { post: client.form, get: client.get, importPage };
  };
  return { h, app, signIn };
}

type DraftRow = { id: string; status: string; obligation_id: string | null; draft: { kind: string; phrase: string; due: string | null } };

describe('the console import page', () => {
  it('reads a pasted directive into drafts with the phrase highlighted, plans nothing, and turns an accepted draft into a planned obligation', async () => {
    const { h, signIn } = await setup();
    const admin = await signIn('vp', 'admin', 'dmc');
    expect(admin.importPage.body).toContain('action="/import/text"');

    const posted = await admin.post('/import/text', { text: seed('000_995b33e7aa72f4e5.txt'), directiveId: 'dmc-159-nhap' });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/import/dmc-159-nhap/drafts');
    const [directive] = await h.db.query<{ number: string; issuer: string; issued_on: string; origin: string }>("select number, issuer, to_char(issued_on, 'YYYY-MM-DD') as issued_on, origin from directives where id = 'dmc-159-nhap'");
    expect(directive).toEqual({ number: '159/LĐLĐ', issuer: 'LIÊN ĐOÀN LAO ĐỘNG HUYỆN DƯƠNG MINH CHÂU', issued_on: '2020-04-14', origin: 'console' });
    const drafts = await h.db.query<DraftRow>("select id::text, status, obligation_id, draft from obligation_drafts where directive_id = 'dmc-159-nhap' order by position");
    expect(drafts.map((d) => [d.draft.kind, d.draft.phrase, d.status])).toEqual([
      ['once', 'chậm nhất ngày 21/5/2020', 'draft'],
      ['semiannual', 'báo cáo 6 tháng', 'draft'],
      ['yearly', 'ngày 30/10 hàng năm', 'draft'],
    ]);
    // A draft is not an obligation: nothing is planned for it.
    expect(await h.db.query("select 1 from obligations where directive_id = 'dmc-159-nhap'")).toEqual([]);
    expect(h.recording!.plans).toEqual([]);

    const page = await admin.get('/import/dmc-159-nhap/drafts');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<mark>chậm nhất ngày 21/5/2020</mark>');
    expect(page.body).toContain('tìm thấy 3 thời hạn, còn 3 chưa duyệt');

    const [first, second] = drafts;
    const accepted = await admin.post(`/import/drafts/${first!.id}/accept`, { title: 'Gửi phân tích số lượng đoàn viên', obligationId: 'dmc-159-nhap.1', childrenOf: 'dmc' });
    expect(accepted.statusCode).toBe(303);
    const [obligation] = await h.db.query<{ title: string; rule: unknown; phrase: string }>("select title, rule, phrase from obligations where id = 'dmc-159-nhap.1'");
    expect(obligation).toEqual({ title: 'Gửi phân tích số lượng đoàn viên', rule: { kind: 'once', date: '2020-05-21', bound: 'no_later_than' }, phrase: 'chậm nhất ngày 21/5/2020' });
    expect(h.recording!.plans).toContainEqual({ obligationIds: ['dmc-159-nhap.1'] });
    expect((await admin.post(`/import/drafts/${second!.id}/reject`, {})).statusCode).toBe(303);

    const after = await h.db.query<DraftRow>("select id::text, status, obligation_id, draft from obligation_drafts where directive_id = 'dmc-159-nhap' order by position");
    expect(after.map((d) => [d.status, d.obligation_id])).toEqual([['accepted', 'dmc-159-nhap.1'], ['rejected', null], ['draft', null]]);
    const audit = await h.db.query<{ entity: string; action: string; actor: string }>("select entity, action, actor from audit_log where entity in ('obligation_draft', 'directive') and (entity_id = 'dmc-159-nhap' or entity = 'obligation_draft') order by id");
    expect(audit.map((a) => `${a.entity}:${a.action}`)).toEqual(['directive:create', 'directive:import', 'obligation_draft:accept', 'obligation_draft:reject']);

    // Deciding twice is a conflict; the page says what happened.
    const again = await admin.post(`/import/drafts/${first!.id}/accept`, { title: 'x y', obligationId: 'dmc-159-nhap.9', childrenOf: 'dmc' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('đã được chấp nhận');

    // A re-import replaces only the undecided drafts, and does not propose again what was decided.
    await admin.post('/import/text', { text: seed('000_995b33e7aa72f4e5.txt'), directiveId: 'dmc-159-nhap' });
    const reimported = await h.db.query<DraftRow>("select id::text, status, obligation_id, draft from obligation_drafts where directive_id = 'dmc-159-nhap' order by position");
    expect(reimported.map((d) => [d.status, d.draft.phrase])).toEqual([['accepted', 'chậm nhất ngày 21/5/2020'], ['rejected', 'báo cáo 6 tháng'], ['draft', 'ngày 30/10 hàng năm']]);
  });

  it('takes a long directive, lists what it could not read, escapes what was pasted, and refuses viewers', async () => {
    const { h, signIn } = await setup();
    const admin = await signIn('vp', 'admin', 'dmc');
    // 27 KB: more than the console's other forms accept.
    expect((await admin.post('/import/text', { text: seed('001_c224a94d4f8a5795.txt'), directiveId: 'tld-07-2020' })).statusCode).toBe(303);
    expect(await h.db.query("select 1 from obligation_drafts where directive_id = 'tld-07-2020'")).toHaveLength(7);
    // "Chấp nhận tất cả": seven obligations with the suggested ids, planned at once.
    expect((await admin.post('/import/tld-07-2020/accept-all', { childrenOf: 'dmc' })).statusCode).toBe(303);
    const all = await h.db.query<{ id: string }>("select id from obligations where directive_id = 'tld-07-2020' order by id");
    expect(all.map((o) => o.id)).toEqual(['tld-07-2020.1', 'tld-07-2020.2', 'tld-07-2020.3', 'tld-07-2020.4', 'tld-07-2020.5', 'tld-07-2020.6', 'tld-07-2020.7']);
    expect(await h.db.query("select 1 from obligation_drafts where directive_id = 'tld-07-2020' and status = 'accepted'")).toHaveLength(7);

    // A web page with no header: number, issuer and date must be typed in; nothing is written.
    const missing = await admin.post('/import/text', { text: seed('004_860cc40584db46df.txt'), directiveId: 'bt-2020' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('không đọc được số, ký hiệu');
    expect(missing.body).toContain('ngày ban hành');
    expect(await h.db.query("select 1 from directives where id = 'bt-2020'")).toEqual([]);
    const typed = await admin.post('/import/text', { text: seed('004_860cc40584db46df.txt'), directiveId: 'bt-2020', number: 'BT-2020', issuer: 'LĐLĐ tỉnh Bến Tre', issuedOn: '2020-01-10', title: 'Nhiệm vụ trọng tâm năm 2020' });
    expect(typed.statusCode).toBe(303);

    const hostile = 'Số: 1/LĐLĐ\nHà Nội, ngày 2 tháng 3 năm 2027\n<script>alert(1)</script> Các đơn vị gửi báo cáo <b>gấp</b> chậm nhất ngày 30/4/2027.';
    expect((await admin.post('/import/text', { text: hostile, directiveId: 'x-1', title: '<img src=x onerror=alert(1)>' })).statusCode).toBe(303);
    const page = await admin.get('/import/x-1/drafts');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toContain('<b>gấp</b>');
    expect(page.body).toContain('&lt;b&gt;gấp&lt;/b&gt;');

    expect((await admin.post('/import/text', { text: ' ', directiveId: 'Bad Id' })).statusCode).toBe(400);
    // Over 2 MiB: a page that says what to do, and nothing written.
    const huge = await admin.post('/import/text', { text: 'Gửi báo cáo chậm nhất ngày 1/1/2030. '.repeat(60_000), directiveId: 'qua-lon' });
    expect(huge.statusCode).toBe(413);
    expect(huge.body).toContain('Nội dung gửi lên quá lớn');
    expect(await h.db.query("select 1 from directives where id = 'qua-lon'")).toEqual([]);

    const viewer = await signIn('xem', 'viewer', 'dmc');
    expect(viewer.importPage.body).not.toContain('action="/import/text"');
    expect((await viewer.post('/import/text', { text: seed('000_995b33e7aa72f4e5.txt'), directiveId: 'v-1' })).statusCode).toBe(403);
    expect((await viewer.get('/import/x-1/drafts')).statusCode).toBe(403);
    const [draft] = await h.db.query<{ id: string }>("select id::text from obligation_drafts where directive_id = 'x-1'");
    expect((await viewer.post(`/import/drafts/${draft!.id}/reject`, {})).statusCode).toBe(403);
    expect((await viewer.post(`/import/drafts/${draft!.id}/accept`, { title: 'a b', obligationId: 'x-1.1', childrenOf: 'dmc' })).statusCode).toBe(403);
    expect(await h.db.query("select status from obligation_drafts where directive_id = 'x-1'")).toEqual([{ status: 'draft' }]);
    expect((await admin.get('/import/nothing-here/drafts')).statusCode).toBe(404);
  });

  it('lets one of two admins accepting the same draft at once create it, keeps a union admin out of the district\'s drafts, and holds back a date without its year', async () => {
    const { h, signIn } = await setup();
    const district = await signIn('vp', 'admin', 'dmc');
    expect((await district.post('/import/text', { text: seed('002_2904283af29c99e8.txt'), directiveId: 'tdg-865-nhap' })).statusCode).toBe(303);
    const [first] = await h.db.query<{ id: string }>("select id::text from obligation_drafts where directive_id = 'tdg-865-nhap' order by position");
    const other = await signIn('vp2', 'admin', 'dmc');
    const [a, b] = await Promise.all([
      district.post(`/import/drafts/${first!.id}/accept`, { title: 'Đại hội cơ sở (A)', obligationId: 'tdg-865-nhap.a', childrenOf: 'dmc' }),
      other.post(`/import/drafts/${first!.id}/accept`, { title: 'Đại hội cơ sở (B)', obligationId: 'tdg-865-nhap.b', childrenOf: 'dmc' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([303, 409]);
    expect(await h.db.query("select 1 from obligations where directive_id = 'tdg-865-nhap'")).toHaveLength(1);
    expect(h.recording!.plans).toHaveLength(1);

    // A grassroots union's admin may not review, reject or replace the district's drafts.
    const union = await signIn('cs', 'admin', 'dmc.cty-cao-su-minh-chau');
    const [second] = await h.db.query<{ id: string }>("select id::text from obligation_drafts where directive_id = 'tdg-865-nhap' and status = 'draft' order by position");
    expect((await union.get('/import/tdg-865-nhap/drafts')).statusCode).toBe(403);
    expect((await union.post(`/import/drafts/${second!.id}/reject`, {})).statusCode).toBe(403);
    expect((await union.post('/import/text', { text: 'Số: 1/CĐ\nHà Nội, ngày 1 tháng 3 năm 2023\nGửi báo cáo chậm nhất ngày 30/3/2023.', directiveId: 'tdg-865-nhap' })).statusCode).toBe(403);
    expect(await h.db.query("select status from obligation_drafts where directive_id = 'tdg-865-nhap' order by position")).toEqual([{ status: 'accepted' }, { status: 'draft' }, { status: 'draft' }]);

    // No issue date in the text: "trước ngày 10/4" has no year, and cannot be accepted as it stands.
    expect((await district.post('/import/text', { text: 'Các đơn vị gửi báo cáo trước ngày 10/4.', directiveId: 'khong-nam', number: '9/LĐLĐ', issuer: 'LĐLĐ huyện', title: 'Báo cáo nhanh', issuedOn: '' })).statusCode).toBe(400);
    expect((await district.post('/import/text', { text: 'Các đơn vị gửi báo cáo trước ngày 10/4.', directiveId: 'khong-nam', number: '9/LĐLĐ', issuer: 'LĐLĐ huyện', title: 'Báo cáo nhanh', issuedOn: '2024-03-01' })).statusCode).toBe(303);
    const [dated] = await h.db.query<{ due: string }>("select draft->>'due' as due from obligation_drafts where directive_id = 'khong-nam'");
    expect(dated!.due).toBe('2024-04-10');
  });
});
