/**
 * Precision and recall on the hand-labelled corpus of real administrative sentences
 * (test/fixtures/extract/sentences.jsonl, labelled without looking at the extractor; see its
 * README). The floors below are what the extractor reaches today: a change that makes it
 * worse fails here. The figures are printed and quoted in the README.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractDirective } from '../../../src/domain/extract/index.js';

interface Entry { id: string; text: string; issuedOn: string | null; source: string }
interface Report { recall: number; precision: number; exactRecall: number; exactPrecision: number; totals: Record<string, number> }
const scorer = (await import('../../fixtures/extract/score.mjs' as string)) as {
  loadCorpus: () => Entry[];
  scoreCorpus: (entries: Entry[], predict: (e: Entry) => readonly unknown[]) => Report;
};

const predict = (e: Entry) => extractDirective(e.text, e.issuedOn ? { issuedOn: e.issuedOn } : {}).obligations;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

describe('the labelled corpus', () => {
  const corpus = scorer.loadCorpus();

  it('has enough sentences to mean something, and its labels are sound (validate.mjs)', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const check = spawnSync(process.execPath, [fileURLToPath(new URL('../../fixtures/extract/validate.mjs', import.meta.url))], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it.each([
    ['all sentences', () => corpus, { recall: 0.88, precision: 0.9 }],
    ['real sentences only (not constructed)', () => corpus.filter((e) => e.source !== 'constructed'), { recall: 0.86, precision: 0.88 }],
  ] as const)('%s: recall and precision stay above their floors', (name, entries, floor) => {
    const r = scorer.scoreCorpus(entries(), predict);
    console.log(`[extract corpus] ${name}: ${r.totals['expected']} deadlines, recall ${pct(r.recall)}, precision ${pct(r.precision)}; exact rule: recall ${pct(r.exactRecall)}, precision ${pct(r.exactPrecision)}; ${r.totals['trapHits']} findings on labelled non-deadline dates`);
    expect(r.recall).toBeGreaterThanOrEqual(floor.recall);
    expect(r.precision).toBeGreaterThanOrEqual(floor.precision);
  });
});
