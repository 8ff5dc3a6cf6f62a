import Holidays from 'date-holidays';
import type { IsoDate } from '../../domain/civil-date.js';
import type { LunarToSolar } from '../../domain/calendar/types.js';

/**
 * Lunar (âm lịch) → solar dates from date-holidays' Vietnamese calendar (UTC+7, so it
 * follows Vietnam's almanac, not China's, where the two differ). Pinned against official
 * announcements and an independent algorithm in test/adapters/lunar.test.ts.
 */
export function dateHolidaysLunar(): LunarToSolar {
  const engines = new Map<string, Holidays>();
  const memo = new Map<string, IsoDate>();
  const lunar: LunarToSolar = (solarYear, lunarMonth, lunarDay) => {
    if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12 || !Number.isInteger(lunarDay) || lunarDay < 1 || lunarDay > 30) {
      throw new Error(`ngày âm lịch ${lunarDay}/${lunarMonth} không tồn tại (tháng 1–12, ngày 1–30)`);
    }
    const memoKey = `${solarYear}:${lunarMonth}:${lunarDay}`;
    const hit = memo.get(memoKey);
    if (hit) return hit;
    const ruleKey = `${lunarMonth}-${lunarDay}`;
    let engine = engines.get(ruleKey);
    if (!engine) {
      engine = new Holidays();
      // "vietnamese M-0-D": lunar month M (0 = not the leap month), day D.
      if (!engine.setHoliday(`vietnamese ${lunarMonth}-0-${lunarDay}`, { name: ruleKey, type: 'public' })) {
        throw new Error(`date-holidays cannot express lunar ${lunarDay}/${lunarMonth}`);
      }
      engines.set(ruleKey, engine);
    }
    const found = engine.getHolidays(solarYear).find((h) => h.name === ruleKey);
    if (!found) throw new Error(`no lunar ${lunarDay}/${lunarMonth} in ${solarYear}`);
    const date = found.date.slice(0, 10);
    // A short (29-day) lunar month has no 30th; date-holidays quietly rolls into the next month.
    if (lunarDay === 30 && lunarMonth < 12 && date >= lunar(solarYear, lunarMonth + 1, 1)) {
      throw new Error(`tháng ${lunarMonth} âm lịch năm ${solarYear} không có ngày 30`);
    }
    memo.set(memoKey, date);
    return date;
  };
  return lunar;
}
