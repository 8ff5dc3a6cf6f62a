import type { DigestItem } from '../../src/domain/reminder-message.js';

/** The 30/10 thematic report of 159/LĐLĐ, 2027 occurrence (Saturday: effective Monday 1/11), at its 7-day step. */
export const THEMATIC_REPORT_ITEM: DigestItem = {
  obligationId: 'dmc-159-2020.thematic-report',
  occurrenceKey: '2027',
  directiveNumber: '159/LĐLĐ',
  directiveTitle: 'V/v thực hiện Kết luận số 19-KL/TU',
  title: 'Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU',
  clause: '3',
  ruleWords: 'hằng năm, ngày 30/10',
  nominalDue: '2027-10-30',
  effectiveDue: '2027-11-01',
  step: '7d',
};
