/**
 * An independent Vietnamese lunar-calendar oracle for tests.
 *
 * A self-contained port of Hồ Ngọc Đức's well-known algorithm ("Âm lịch Việt Nam",
 * amlich.js): new moons by the Meeus approximation (Astronomical Algorithms, ch. 49,
 * truncated series), the sun's apparent longitude (ch. 25, low precision), lunar month 11
 * as the month that contains the winter solstice, and the leap month as the first month
 * after month 11 that contains no major solar term (trung khí). Days are counted in the
 * given time zone; Vietnam uses UTC+7.
 *
 * No dependencies, no clock reads: every function is pure arithmetic on its arguments.
 * It is deliberately not shared with `src/`, so that tests compare the production lunar
 * source (the `date-holidays` package) with a second, unrelated implementation.
 */

const PI = Math.PI;
/** Degrees to radians. */
const DR = PI / 180;
/** Mean synodic month in days. */
const SYNODIC_MONTH = 29.530588853;
/** Julian day of the new moon of 1900-01-01 (UTC), the origin of the lunation count k. */
const NEW_MOON_1900 = 2415021.076998695;

const INT = (d: number): number => Math.floor(d);

export interface LunarDate {
  readonly day: number;
  readonly month: number;
  readonly year: number;
  /** True in a leap month (tháng nhuận). */
  readonly leap: boolean;
}

export interface SolarDate {
  readonly day: number;
  readonly month: number;
  readonly year: number;
}

/** Julian day number of a date; Gregorian from 15 October 1582, Julian before it. */
export function jdFromDate(dd: number, mm: number, yy: number): number {
  const a = INT((14 - mm) / 12);
  const y = yy + 4800 - a;
  const m = mm + 12 * a - 3;
  let jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - INT(y / 100) + INT(y / 400) - 32045;
  if (jd < 2299161) {
    jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - 32083;
  }
  return jd;
}

/** The calendar date of a Julian day number (inverse of `jdFromDate`). */
export function jdToDate(jd: number): SolarDate {
  let b: number;
  let c: number;
  if (jd > 2299160) {
    // Gregorian
    const a = jd + 32044;
    b = INT((4 * a + 3) / 146097);
    c = a - INT((b * 146097) / 4);
  } else {
    // Julian
    b = 0;
    c = jd + 32082;
  }
  const d = INT((4 * c + 3) / 1461);
  const e = c - INT((1461 * d) / 4);
  const m = INT((5 * e + 2) / 153);
  const day = e - INT((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * INT(m / 10);
  const year = b * 100 + d - 4800 + INT(m / 10);
  return { day, month, year };
}

/** Julian day (fractional, UT) of the k-th new moon after the one of 1900-01-01. */
function newMoon(k: number): number {
  const T = k / 1236.85; // Julian centuries from 1900-01-01 12:00
  const T2 = T * T;
  const T3 = T2 * T;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * DR);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3; // sun's mean anomaly
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3; // moon's mean anomaly
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3; // moon's argument of latitude
  let C1 = (0.1734 - 0.000393 * T) * Math.sin(M * DR) + 0.0021 * Math.sin(2 * DR * M);
  C1 = C1 - 0.4068 * Math.sin(Mpr * DR) + 0.0161 * Math.sin(DR * 2 * Mpr);
  C1 = C1 - 0.0004 * Math.sin(DR * 3 * Mpr);
  C1 = C1 + 0.0104 * Math.sin(DR * 2 * F) - 0.0051 * Math.sin(DR * (M + Mpr));
  C1 = C1 - 0.0074 * Math.sin(DR * (M - Mpr)) + 0.0004 * Math.sin(DR * (2 * F + M));
  C1 = C1 - 0.0004 * Math.sin(DR * (2 * F - M)) - 0.0006 * Math.sin(DR * (2 * F + Mpr));
  C1 = C1 + 0.001 * Math.sin(DR * (2 * F - Mpr)) + 0.0005 * Math.sin(DR * (2 * Mpr + M));
  let deltaT: number;
  if (T < -11) {
    deltaT = 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3;
  } else {
    deltaT = -0.000278 + 0.000265 * T + 0.000262 * T2;
  }
  return jd1 + C1 - deltaT;
}

/** The sun's apparent longitude, in radians in [0, 2π), at a fractional Julian day (UT). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525; // Julian centuries from J2000.0
  const T2 = T * T;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2; // mean anomaly
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2; // mean longitude
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(DR * M);
  DL += (0.019993 - 0.000101 * T) * Math.sin(DR * 2 * M) + 0.00029 * Math.sin(DR * 3 * M);
  let L = (L0 + DL) * DR;
  L = L - PI * 2 * INT(L / (PI * 2));
  return L;
}

/** The sun's longitude at local midnight starting `dayNumber`, as a sector 0..11 of 30°. */
function getSunLongitude(dayNumber: number, timeZone: number): number {
  return INT((sunLongitude(dayNumber - 0.5 - timeZone / 24) / PI) * 6);
}

/** The local day number of the k-th new moon. */
function getNewMoonDay(k: number, timeZone: number): number {
  return INT(newMoon(k) + 0.5 + timeZone / 24);
}

/** The day number on which lunar month 11 starts, for the month 11 that ends Gregorian year yy. */
function getLunarMonth11(yy: number, timeZone: number): number {
  const off = jdFromDate(31, 12, yy) - 2415021;
  const k = INT(off / SYNODIC_MONTH);
  let nm = getNewMoonDay(k, timeZone);
  const sunLong = getSunLongitude(nm, timeZone); // sun longitude at the start of the month
  if (sunLong >= 9) {
    nm = getNewMoonDay(k - 1, timeZone);
  }
  return nm;
}

/** Months after month 11 (starting a11) until the first month without a major term: the leap month. */
function getLeapMonthOffset(a11: number, timeZone: number): number {
  const k = INT((a11 - NEW_MOON_1900) / SYNODIC_MONTH + 0.5);
  let last = 0;
  let i = 1; // start with the month following lunar month 11
  let arc = getSunLongitude(getNewMoonDay(k + i, timeZone), timeZone);
  do {
    last = arc;
    i++;
    arc = getSunLongitude(getNewMoonDay(k + i, timeZone), timeZone);
  } while (arc !== last && i < 14);
  return i - 1;
}

/** The lunar date of a solar (Gregorian) date. */
export function convertSolar2Lunar(dd: number, mm: number, yy: number, timeZone = 7): LunarDate {
  const dayNumber = jdFromDate(dd, mm, yy);
  let k = INT((dayNumber - NEW_MOON_1900) / SYNODIC_MONTH);
  let monthStart = getNewMoonDay(k + 1, timeZone);
  // The mean-lunation guess k can be one too high when the true new moon runs late (the
  // published amlich.js then answers day 0, e.g. for 2054-05-07): step back until the
  // month starts on or before the day.
  while (monthStart > dayNumber) {
    monthStart = getNewMoonDay(k, timeZone);
    k -= 1;
  }
  let a11 = getLunarMonth11(yy, timeZone);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = yy;
    a11 = getLunarMonth11(yy - 1, timeZone);
  } else {
    lunarYear = yy + 1;
    b11 = getLunarMonth11(yy + 1, timeZone);
  }
  const lunarDay = dayNumber - monthStart + 1;
  const diff = INT((monthStart - a11) / 29);
  let lunarLeap = false;
  let lunarMonth = diff + 11;
  if (b11 - a11 > 365) {
    const leapMonthDiff = getLeapMonthOffset(a11, timeZone);
    if (diff >= leapMonthDiff) {
      lunarMonth = diff + 10;
      if (diff === leapMonthDiff) {
        lunarLeap = true;
      }
    }
  }
  if (lunarMonth > 12) {
    lunarMonth = lunarMonth - 12;
  }
  if (lunarMonth >= 11 && diff < 4) {
    lunarYear -= 1;
  }
  return { day: lunarDay, month: lunarMonth, year: lunarYear, leap: lunarLeap };
}

/**
 * The solar date of a lunar date, or null when it does not exist: a leap month asked for
 * in a year without one or for a month that is not the leap month, a month number outside
 * 1..12, or a day past the month's last day (29 or 30).
 */
export function convertLunar2Solar(
  lunarDay: number,
  lunarMonth: number,
  lunarYear: number,
  lunarLeap: boolean | number,
  timeZone = 7,
): SolarDate | null {
  const leap = lunarLeap === true || (typeof lunarLeap === 'number' && lunarLeap !== 0);
  if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12) return null;
  if (!Number.isInteger(lunarDay) || lunarDay < 1 || lunarDay > 30) return null;
  let a11: number;
  let b11: number;
  if (lunarMonth < 11) {
    a11 = getLunarMonth11(lunarYear - 1, timeZone);
    b11 = getLunarMonth11(lunarYear, timeZone);
  } else {
    a11 = getLunarMonth11(lunarYear, timeZone);
    b11 = getLunarMonth11(lunarYear + 1, timeZone);
  }
  const k = INT(0.5 + (a11 - NEW_MOON_1900) / SYNODIC_MONTH);
  let off = lunarMonth - 11;
  if (off < 0) {
    off += 12;
  }
  if (b11 - a11 > 365) {
    const leapOff = getLeapMonthOffset(a11, timeZone);
    // Month index leapOff after month 11 is the leap month, repeating the month before it
    // (index 1 repeats 11, index 2 repeats 12, index 3 repeats 1, ...).
    let leapMonth = leapOff - 2;
    if (leapMonth <= 0) {
      leapMonth += 12;
    }
    if (leap && lunarMonth !== leapMonth) {
      return null;
    } else if (leap || off >= leapOff) {
      off += 1;
    }
  } else if (leap) {
    return null; // no leap month in this lunar year
  }
  const monthStart = getNewMoonDay(k + off, timeZone);
  const nextMonthStart = getNewMoonDay(k + off + 1, timeZone);
  if (lunarDay > nextMonthStart - monthStart) return null; // a 29-day month has no 30th
  return jdToDate(monthStart + lunarDay - 1);
}
