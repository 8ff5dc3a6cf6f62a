import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld, signIn } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

// Bad input the issue lists that no other test tried: oversized bodies, SQL and HTML injection in
// every text field (stored as typed, shown inert), path traversal in path parameters.
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

const HOSTILE = [
  `Robert'); DROP TABLE obligations; --`,
  `' OR '1'='1`,
  `<script>alert("xss")</script>`,
  `"><img src=x onerror=alert(1)>`,
  `{{#lambda}}{{{raw}}}{{/lambda}}`,
  `../../../../etc/passwd`,
];

async function setup() {
  return httpWorld({ start: '2027-11-25T09:00:00+07:00', loaded, cleanups });
}

const counts = async (h: Awaited<ReturnType<typeof setup>>['h']) =>
  (await h.db.query<{ t: string; n: number }>(
    `select 'directives' as t, count(*)::int as n from directives union all select 'obligations', count(*)::int from obligations
     union all select 'contacts', count(*)::int from contacts union all select 'audit', count(*)::int from audit_log order by 1`,
  )).map((r) => `${r.t}=${r.n}`);

describe('bad input through the API', () => {
  it('an oversized body is refused with 413 before anything runs, and nothing is written', async () => {
    const { h, app } = await setup();
    const before = await counts(h);
    const huge = 'x'.repeat(200 * 1024);
    const json = await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: { id: 'big-1', number: '1', issuer: 'x', issuedOn: '2027-01-01', title: huge } });
    expect(json.statusCode).toBe(413);
    const form = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `username=a&password=${huge}` });
    expect(form.statusCode).toBe(413);
    expect(await counts(h)).toEqual(before);
  });

  it('SQL and HTML injection strings in every text field of a directive, an obligation and a contact are stored exactly as typed and shown escaped', async () => {
    const { h, app, access } = await setup();
    for (const [i, s] of HOSTILE.entries()) {
      const directive = { id: `bad-${i}`, number: s, issuer: s, issuedOn: '2027-09-15', title: s, source: s };
      expect((await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: directive })).statusCode).toBe(201);
      const obligation = { id: `bad-${i}.o`, directiveId: `bad-${i}`, title: s, clause: s, sentence: s, note: s, rule: { kind: 'yearly', month: 12, day: 15 }, assignees: { childrenOf: ['dmc'] } };
      const created = await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: admin, payload: obligation });
      expect(created.statusCode, created.body).toBe(201);
      const contact = { id: `bad-${i}.c`, unitId: 'dmc.thpt-dmc', name: s, role: s, email: `bad${i}@example.org` };
      const person = await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: admin, payload: contact });
      expect(person.statusCode, person.body).toBe(201);

      // Read back verbatim: parameters, never SQL text.
      const back = (await app.inject({ method: 'GET', url: `/api/v1/obligations/${obligation.id}`, headers: admin })).json();
      expect([back.title, back.clause, back.sentence, back.note]).toEqual([s, s, s, s]);
      const d = (await app.inject({ method: 'GET', url: '/api/v1/directives', headers: admin })).json().directives.find((x: { id: string }) => x.id === directive.id);
      expect([d.number, d.issuer, d.title, d.source]).toEqual([s, s, s, s]);
      const [c] = await h.db.query<{ name: string; role: string }>('select name, role from contacts where id = $1', [contact.id]);
      expect(c).toEqual({ name: s, role: s });
    }
    // Every table is still there.
    expect((await h.db.query<{ n: number }>('select count(*)::int as n from obligations'))[0]!.n).toBeGreaterThan(HOSTILE.length);

    // The console shows them as text: no markup from the input survives.
    const vp = await signIn(app, access, h.clock, { username: 'vp', role: 'admin', unitId: 'dmc' });
    for (const page of ['/obligations', '/obligations/bad-2.o', '/obligations/bad-3.o', '/units']) {
      const r = await vp.get(page);
      expect(r.statusCode, page).toBe(200);
      expect(r.body, page).not.toContain('<script>alert');
      expect(r.body, page).not.toContain('<img src=x');
    }
    const shown = (await vp.get('/obligations/bad-2.o')).body;
    expect(shown).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
  });

  it('path traversal in path parameters reaches no file: every variant is a plain 404 (or 400) that shows nothing of the file system', async () => {
    const { app } = await setup();
    const attempts = [
      '/api/v1/obligations/..%2F..%2F..%2Fetc%2Fpasswd',
      '/api/v1/obligations/../../../etc/passwd',
      '/api/v1/obligations/%2e%2e%2f%2e%2e%2fpackage.json',
      '/api/v1/calendar/..%2F..%2Fconfig',
      '/ical/..%2F..%2F..%2Fetc%2Fpasswd.ics',
      '/ical/....//....//etc/passwd.ics',
      '/a/..%2F..%2F.env',
      '/../../package.json',
    ];
    for (const url of attempts) {
      const r = await app.inject({ method: 'GET', url, headers: admin });
      expect([400, 404], `${url} → ${r.statusCode}`).toContain(r.statusCode);
      expect(r.body, url).not.toMatch(/root:x:0:0|"name": "hanchot"|DATABASE_URL/);
    }
  });

  it('unknown fields are refused with their name, and nothing is written', async () => {
    const { h, app } = await setup();
    const before = await counts(h);
    const r = await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: { id: 'extra-1', number: '1', issuer: 'x', issuedOn: '2027-01-01', title: 't', isAdmin: true } });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('isAdmin');
    const contact = await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: admin, payload: { id: 'extra.c', unitId: 'dmc.thpt-dmc', name: 'A', origin: 'config' } });
    expect(contact.statusCode).toBe(400);
    expect(contact.body).toContain('origin');
    expect(await counts(h)).toEqual(before);
  });
});
