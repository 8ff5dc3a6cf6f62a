import { fileURLToPath } from 'node:url';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfigDir } from '../../src/adapters/files/config-dir.js';
import type { Catalogue } from '../../src/app/catalogue/catalogue.js';
import { preview, type Preview } from '../../src/app/preview.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { weekday } from '../../src/domain/civil-date.js';
import type { Obligation } from '../../src/domain/obligation.js';
import { CONFIG_DIR, shippedConfig } from '../support/shipped-config.js';

/**
 * The catalogue shipped in config/ against the five seed directives it was transcribed from.
 * The seed texts are copied verbatim from ../shared/seeds into test/fixtures/seeds.
 */
const SEEDS_DIR = fileURLToPath(new URL('../fixtures/seeds', import.meta.url));

const DMC = 'Liên đoàn Lao động huyện Dương Minh Châu';

/** Each directive as printed in its seed text: "Số: …" and the issue date line. */
const DIRECTIVES = [
  { id: 'dmc-159-2020', number: '159/LĐLĐ', issuer: DMC, issuedOn: '2020-04-14', seed: '000_995b33e7aa72f4e5.txt', printed: ['Số: 159/LĐLĐ', 'ngày 14 tháng 4 năm 2020'] },
  { id: 'tld-07-nq-2020', number: '07 /NQ-TLĐ', issuer: 'Tổng Liên đoàn Lao động Việt Nam', issuedOn: '2020-01-15', seed: '001_c224a94d4f8a5795.txt', printed: ['Số: 07 /NQ-TLĐ', 'ngày 15 tháng 01 năm 2020'] },
  { id: 'td-865-cv-hu-2023', number: '865 -CV/HU', issuer: 'Huyện ủy Tam Đường (Ban Thường vụ Huyện ủy)', issuedOn: '2023-03-07', seed: '002_2904283af29c99e8.txt', printed: ['Số 865 -CV/HU', 'ngày 07 tháng 3 năm 2023'] },
  { id: 'dmc-94-kh-2021', number: '94/KH - LĐLĐ', issuer: DMC, issuedOn: '2021-03-24', seed: '003_bfdd288f7f0b5cf7.txt', printed: ['Số: 94/KH - LĐLĐ', 'ngày 24 tháng 3 năm 2021'] },
  // A web page: no number, date or issuer printed; the header is assumed (directive.assumed).
  { id: 'bt-nhiem-vu-2020', number: 'Nhiệm vụ trọng tâm 2020 (trang web)', issuer: 'Liên đoàn Lao động tỉnh Bến Tre', issuedOn: '2020-01-01', seed: '004_860cc40584db46df.txt', printed: ['Nhiệm vụ trọng tâm của tổ chức công đoàn năm 2020'] },
] as const;


/** Same text for a human: NFC, every run of white space (NBSP and line breaks too) one space. */
const collapse = (s: string): string => s.normalize('NFC').replace(/\s+/gu, ' ').trim();

let catalogue: Catalogue;
let calendar: WorkingCalendar;
let seeds: Map<string, string>;
/** Each obligation as written in its YAML, before the loader fills in defaults. */
let raw: Map<string, { rule: Record<string, unknown> }>;
let whole: Preview;

beforeAll(async () => {
  ({ catalogue, calendar } = await shippedConfig());
  const names = (await readdir(SEEDS_DIR).catch(() => {
    throw new Error(`seed texts not found in ${SEEDS_DIR}: copy ../shared/seeds there`);
  })).filter((n) => n.endsWith('.txt'));
  seeds = new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(SEEDS_DIR, n), 'utf8')] as const)));
  raw = new Map();
  for (const file of await readConfigDir(CONFIG_DIR)) {
    if (!file.path.startsWith('catalogue/directives/')) continue;
    for (const o of (parse(file.text) as { obligations: { id: string; rule: Record<string, unknown> }[] }).obligations) raw.set(o.id, o);
  }
  whole = preview(catalogue, calendar, { from: '2020-01-01', to: '2027-12-31' });
});

const directive = (id: string) => {
  const d = catalogue.directives.find((x) => x.id === id);
  if (!d) throw new Error(`no directive ${id}`);
  return d;
};
const obligation = (id: string): Obligation => {
  const o = catalogue.obligations.find((x) => x.id === id);
  if (!o) throw new Error(`no obligation ${id}`);
  return o;
};
const seedOf = (directiveId: string): string => {
  const source = directive(directiveId).source;
  const text = source === undefined ? undefined : seeds.get(source);
  if (text === undefined) throw new Error(`directive ${directiveId}: source ${source} is not among the seed texts in ${SEEDS_DIR}`);
  return text;
};

describe('(a) the five seed directives', () => {
  it('are all there and nothing else', () => {
    expect(catalogue.directives.map((d) => d.id).sort()).toEqual(DIRECTIVES.map((d) => d.id).sort());
  });

  it.each(DIRECTIVES)('$id: number, issuer, date and source as printed', ({ id, number, issuer, issuedOn, seed, printed }) => {
    expect(directive(id)).toMatchObject({ number, issuer, issuedOn, source: seed });
    const text = collapse(seedOf(id));
    for (const words of printed) expect(text, `"${words}" in ${seed}`).toContain(collapse(words));
    expect(catalogue.obligations.filter((o) => o.directiveId === id).length).toBeGreaterThan(0);
  });

  it('only the web page (no number, date or issuer printed) has an assumed header, and it says so', () => {
    expect(catalogue.directives.filter((d) => d.assumed !== undefined).map((d) => d.id)).toEqual(['bt-nhiem-vu-2020']);
    expect(directive('bt-nhiem-vu-2020').assumed).toMatch(/cần xác nhận/);
  });

  it('each seed text is the source of exactly one directive', () => {
    expect(catalogue.directives.map((d) => d.source).sort()).toEqual([...seeds.keys()].sort());
  });
});

describe('(b) every quoted sentence is in its seed text', () => {
  it('every obligation quotes a sentence and a phrase from it', () => {
    const missing = catalogue.obligations.filter((o) => !o.sentence || !o.phrase || !o.sentence.includes(o.phrase)).map((o) => o.id);
    expect(missing).toEqual([]);
  });

  it("each sentence occurs verbatim (white space collapsed, NFC) in its directive's seed", () => {
    const notFound = catalogue.obligations
      .filter((o) => o.sentence !== undefined && !collapse(seedOf(o.directiveId)).includes(collapse(o.sentence)))
      .map((o) => `${o.id}: ${o.sentence}`);
    expect(notFound).toEqual([]);
  });

  it('each phrase occurs in the seed too', () => {
    const notFound = catalogue.obligations
      .filter((o) => o.phrase !== undefined && !collapse(seedOf(o.directiveId)).includes(collapse(o.phrase)))
      .map((o) => `${o.id}: ${o.phrase}`);
    expect(notFound).toEqual([]);
  });
});

describe('(c) "ngày 30/10 hàng năm"', () => {
  it('is the one yearly rule on 30/10, from 159/LĐLĐ', () => {
    const onThirtiethOctober = catalogue.obligations.filter((o) => o.rule.kind === 'yearly' && o.rule.month === 10 && o.rule.day === 30);
    expect(onThirtiethOctober.map((o) => o.id)).toEqual(['dmc-159-2020.thematic-report']);
    expect(onThirtiethOctober[0]!.phrase).toBe('ngày 30/10 hàng năm');
    expect(onThirtiethOctober[0]!.roll).toBe('next_working_day');
  });

  it('falls on Saturday 30/10/2027 and is due Monday 1/11/2027', () => {
    expect(weekday('2027-10-30')).toBe(6);
    expect(calendar.isWorkingDay('2027-10-30')).toBe(false);
    expect(calendar.isWorkingDay('2027-11-01')).toBe(true);
    const occurrences = whole.occurrences.filter((o) => o.obligationId === 'dmc-159-2020.thematic-report' && o.key === '2027');
    expect(occurrences).toHaveLength(1);
    expect(occurrences[0]).toMatchObject({ nominalDue: '2027-10-30', effectiveDue: '2027-11-01', directive: '159/LĐLĐ' });
  });

  it('is due every year from 2020 (issued 14/4/2020) to 2027, each on or after 30/10', () => {
    const occurrences = whole.occurrences.filter((o) => o.obligationId === 'dmc-159-2020.thematic-report');
    expect(occurrences.map((o) => o.key)).toEqual(['2020', '2021', '2022', '2023', '2024', '2025', '2026', '2027']);
    for (const o of occurrences) {
      expect(o.nominalDue).toBe(`${o.key}-10-30`);
      expect(o.effectiveDue >= o.nominalDue).toBe(true);
      expect(calendar.isWorkingDay(o.effectiveDue)).toBe(true);
    }
  });
});

describe('(d) "Quý II/2021" in the 2021 plan (94/KH - LĐLĐ)', () => {
  const q2 = () => catalogue.obligations.filter((o) => o.directiveId === 'dmc-94-kh-2021' && o.phrase?.includes('Quý II/2021'));

  it('every "Quý II/2021" of the seed is an obligation', () => {
    const inSeed = collapse(seedOf('dmc-94-kh-2021')).split('Quý II/2021').length - 1;
    expect(inSeed).toBe(2);
    expect(q2().map((o) => o.id).sort()).toEqual(['dmc-94-kh-2021.coordination-regulation', 'dmc-94-kh-2021.restructure-apparatus']);
  });

  it('each is a quarter window 1/4/2021–30/6/2021, due once on 30/6/2021', () => {
    for (const o of q2()) {
      expect(o.rule).toMatchObject({ kind: 'period', window: { unit: 'quarter', year: 2021, quarter: 2 } });
      const occurrences = whole.occurrences.filter((x) => x.obligationId === o.id);
      expect(occurrences, o.id).toHaveLength(1);
      expect(occurrences[0]).toMatchObject({ key: '2021-Q2', windowStart: '2021-04-01', nominalDue: '2021-06-30', effectiveDue: '2021-06-30' });
    }
  });
});

describe('(e) defaults are marked for an admin to confirm', () => {
  /** What the YAML leaves to a default (README: yearly/semiannual/quarterly/on_event/orOnEvent). */
  const defaultsIn = (rule: Record<string, unknown>): string[] => {
    const used: string[] = [];
    if (rule.kind === 'yearly' && rule.month === undefined) used.push('yearly: 31/12');
    if (rule.kind === 'semiannual' && rule.dates === undefined) used.push('semiannual: 15/6, 15/12');
    if (rule.kind === 'quarterly' && (rule.monthOfQuarter === undefined || rule.day === undefined)) used.push('quarterly: last day');
    if (rule.kind === 'on_event' && rule.workingDays === undefined) used.push('on_event: 5 working days');
    if (rule.orOnEvent === true) used.push('orOnEvent: 5 working days');
    return used;
  };

  it('the YAML of every obligation was read', () => {
    expect([...raw.keys()].sort()).toEqual(catalogue.obligations.map((o) => o.id).sort());
  });

  it('every obligation that relies on a default carries `assumed`', () => {
    const unmarked = catalogue.obligations
      .filter((o) => defaultsIn(raw.get(o.id)!.rule).length > 0 && o.assumed === undefined)
      .map((o) => `${o.id} (${defaultsIn(raw.get(o.id)!.rule).join(', ')})`);
    expect(unmarked).toEqual([]);
  });

  it('every `assumed` note says what was chosen and asks for confirmation', () => {
    const assumed = catalogue.obligations.filter((o) => o.assumed !== undefined);
    expect(assumed.length).toBeGreaterThan(0);
    const vague = assumed.filter((o) => o.assumed!.trim().length < 30 || !/cần xác nhận/.test(o.assumed!)).map((o) => `${o.id}: ${o.assumed}`);
    expect(vague).toEqual([]);
  });

  it('preview flags every occurrence and undated entry of an assumed obligation', () => {
    for (const entry of [...whole.occurrences, ...whole.undated]) {
      expect(entry.assumed, entry.obligationId).toBe(obligation(entry.obligationId).assumed);
    }
    const flagged = new Set([...whole.occurrences, ...whole.undated].filter((e) => e.assumed).map((e) => e.obligationId));
    expect([...flagged].sort()).toEqual(catalogue.obligations.filter((o) => o.assumed).map((o) => o.id).sort());
  });
});

describe('(f) preview 2020-01-01..2027-12-31 drops nothing', () => {
  it('every obligation is either scheduled or listed as undated', () => {
    const shown = new Set([...whole.occurrences.map((o) => o.obligationId), ...whole.undated.map((u) => u.obligationId)]);
    expect(catalogue.obligations.map((o) => o.id).filter((id) => !shown.has(id))).toEqual([]);
    expect(shown.size).toBe(catalogue.obligations.length);
  });

  it('every obligation with a date of its own has at least one occurrence', () => {
    const undated = new Set(whole.undated.map((u) => u.obligationId));
    const scheduled = new Set(whole.occurrences.map((o) => o.obligationId));
    expect(catalogue.obligations.filter((o) => !undated.has(o.id) && !scheduled.has(o.id)).map((o) => o.id)).toEqual([]);
  });

  it('undated lists exactly the event-driven and continuous ones (with no check-in)', () => {
    const expected = catalogue.obligations
      .filter((o) => o.rule.kind === 'on_event' || (o.rule.kind === 'continuous' && o.rule.checkIn === undefined) || o.rule.orOnEvent !== undefined)
      .map((o) => o.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(whole.undated.map((u) => u.obligationId).sort()).toEqual(expected.sort());
  });

  it('a one-off deadline is due exactly once; every occurrence is assigned and rolls forward', () => {
    for (const o of catalogue.obligations.filter((x) => x.rule.kind === 'once')) {
      expect(whole.occurrences.filter((x) => x.obligationId === o.id).map((x) => x.key), o.id).toEqual(['once']);
    }
    for (const occ of whole.occurrences) {
      expect(occ.units.length, occ.obligationId).toBeGreaterThan(0);
      expect(occ.effectiveDue >= occ.nominalDue, `${occ.obligationId} ${occ.key}`).toBe(true);
    }
  });
});

describe('(g) the demo organisation', () => {
  const unit = (id: string) => catalogue.units.find((u) => u.id === id);

  it('every unit referenced (parent, assignees) exists', () => {
    const ids = new Set(catalogue.units.map((u) => u.id));
    const dangling = [
      ...catalogue.units.filter((u) => u.parent !== null && !ids.has(u.parent)).map((u) => `${u.id}.parent → ${u.parent}`),
      ...catalogue.obligations.flatMap((o) =>
        [...o.assignees.units, ...o.assignees.childrenOf].filter((u) => !ids.has(u)).map((u) => `${o.id} → ${u}`),
      ),
    ];
    expect(dangling).toEqual([]);
  });

  it('every childrenOf unit has children, and every leader is one of the unit’s contacts', () => {
    for (const id of new Set(catalogue.obligations.flatMap((o) => o.assignees.childrenOf))) {
      expect(catalogue.units.some((u) => u.parent === id), id).toBe(true);
    }
    for (const u of catalogue.units) {
      if (u.leader !== undefined) expect(u.contacts.map((c) => c.id), u.id).toContain(u.leader);
    }
  });

  it('has the district of Dương Minh Châu (Tây Ninh) and of Tam Đường (Lai Châu), each with grassroots units', () => {
    for (const [id, name, province] of [
      ['dmc', DMC, 'tn'],
      ['td', 'Liên đoàn Lao động huyện Tam Đường', 'lc'],
    ] as const) {
      expect(unit(id)).toMatchObject({ name, kind: 'district', parent: province });
      const grassroots = catalogue.units.filter((u) => u.parent === id);
      expect(grassroots.length, id).toBeGreaterThan(0);
      for (const g of grassroots) expect(g.kind).toBe('grassroots');
    }
  });

  it('every contact is obviously fake: email @example.org, phone 09000000xx, Zalo zalo-demo-', () => {
    const contacts = catalogue.units.flatMap((u) => u.contacts);
    expect(contacts.length).toBeGreaterThan(0);
    for (const c of contacts) {
      expect(c.email, c.id).toMatch(/@example\.org$/);
      if (c.phone !== undefined) expect(c.phone, c.id).toMatch(/^09000000\d\d$/);
      if (c.zaloUserId !== undefined) expect(c.zaloUserId, c.id).toMatch(/^zalo-demo-/);
    }
  });
});
