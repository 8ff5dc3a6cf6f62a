/**
 * Solar dates of Tết Nguyên đán (mùng 1 tháng Giêng) and Giỗ Tổ Hùng Vương (10/3 âm lịch,
 * never a leap month) for 2020–2035, each with where it was confirmed.
 *
 * Every row agrees with test/support/amlich.ts (Hồ Ngọc Đức's algorithm, UTC+7) and with
 * the date-holidays package (3.37.0, country VN) as installed. For 2020–2026 the dates are
 * confirmed by the government's holiday notices as reported (they name the lunar day of each
 * solar day off) and by news reports of the Giỗ Tổ day off; for later years by a published
 * calendar page where one was found, otherwise only by the algorithm, and the row says so.
 *
 * Note 2030: the new moon is at 23:07 on 2 February in Hanoi (UTC+7) but 00:07 on
 * 3 February in Beijing (UTC+8), so Vietnam's Tết Canh Tuất is 2030-02-02, one day before
 * China's Spring Festival (2030-02-03). Tables copied from Chinese calendars get this wrong.
 */
export interface OfficialLunarRow {
  readonly year: number;
  /** Mùng 1 Tết Nguyên đán, YYYY-MM-DD. */
  readonly tet: string;
  /** Giỗ Tổ Hùng Vương (10/3 âm lịch), YYYY-MM-DD. */
  readonly hungKings: string;
  readonly source: string;
}

const ALGO_ONLY = 'chỉ theo thuật toán Hồ Ngọc Đức (amlich.ts), khớp date-holidays; chưa tìm được nguồn công bố thứ hai';

export const OFFICIAL_LUNAR: ReadonlyArray<OfficialLunarRow> = [
  {
    year: 2020,
    tet: '2020-01-25',
    hungKings: '2020-04-02',
    source:
      'Tết: thông báo nghỉ Tết 2020 của Bộ LĐ-TB&XH, theo socongthuong.daklak.gov.vn 07/01/2020 (23/01 = 29 tháng Chạp Kỷ Hợi, 29/01 = mùng 5 Canh Tý); ' +
      'Giỗ Tổ: baosuckhoecongdong.vn 02/2020 ("rơi vào ngày 2/4/2020", thứ Năm)',
  },
  {
    year: 2021,
    tet: '2021-02-12',
    hungKings: '2021-04-21',
    source:
      'Tết: Văn phòng Chính phủ 26/11/2020, Thủ tướng duyệt nghỉ Tết 10–16/02/2021 (29 tháng Chạp Canh Tý – mùng 5 Tân Sửu), theo thegioimoitruong.vn và hanoimoi.vn; ' +
      'Giỗ Tổ: cafedautu.vn 22/03/2021 ("rơi vào ngày 21/4 Dương lịch")',
  },
  {
    year: 2022,
    tet: '2022-02-01',
    hungKings: '2022-04-10',
    source:
      'Tết: PTTg Vũ Đức Đam đồng ý nghỉ Tết Nhâm Dần 29/01–06/02/2022 (27 tháng Chạp Tân Sửu – mùng 6 Nhâm Dần), theo baoquocte.vn; ' +
      'Giỗ Tổ: Chủ nhật 10/04/2022, nghỉ bù 11/04 (vietnamplus.vn qua qbtv.vn 05/04/2022; scon.com.vn)',
  },
  {
    year: 2023,
    tet: '2023-01-22',
    hungKings: '2023-04-29',
    source:
      'Tết: PTTg Vũ Đức Đam đồng ý nghỉ Tết 20/01–26/01/2023 (từ 29 tháng Chạp), "Tết Quý Mão (22-1)", theo VnExpress qua investinquangninh.vn và pld.net.vn; ' +
      'Giỗ Tổ: thứ Bảy 29/04/2023, nghỉ bù 02/05 (kinhtedothi.vn 22/03/2023)',
  },
  {
    year: 2024,
    tet: '2024-02-10',
    hungKings: '2024-04-18',
    source:
      'Tết: Thông báo 5015/TB-LĐTBXH ngày 22/11/2023 (Bộ LĐ-TB&XH), nghỉ 08/02 (29 tháng Chạp Quý Mão) – 14/02/2024 (mùng 5 Giáp Thìn), theo sucsongtre.vn; ' +
      'Giỗ Tổ: chinhphu.vn 20/04/2024 ("người lao động được nghỉ ngày 18/4")',
  },
  {
    year: 2025,
    tet: '2025-01-29',
    hungKings: '2025-04-07',
    source:
      'Tết: Công văn 8726/VPCP-KGVX ngày 26/11/2024 và Thông báo 6150/TB-LĐTBXH, nghỉ Tết 27/01–31/01/2025 (28 tháng Chạp Giáp Thìn – mùng 3 Ất Tỵ), theo vtv9.vtv.vn; ' +
      'Giỗ Tổ: thứ Hai 07/04/2025, nghỉ 05–07/04 kể cả cuối tuần (diễn đàn home.vn 03/2025)',
  },
  {
    year: 2026,
    tet: '2026-02-17',
    hungKings: '2026-04-26',
    source:
      'Tết: Thông báo 9441/TB-BNV ngày 16/10/2025 (Bộ Nội vụ), nghỉ Tết 16/02 (29 tháng Chạp Ất Tỵ) – 20/02/2026 (mùng 4 Bính Ngọ), theo vietbao.vn 17/10/2025; ' +
      'Giỗ Tổ: Chủ nhật 26/04/2026, nghỉ bù 27/04 (thanhnien.vn 23/02/2026; kenh14.vn 11/03/2026)',
  },
  {
    year: 2027,
    tet: '2027-02-06',
    hungKings: '2027-04-16',
    source:
      'Tết: ntdvn.net "Tết 2027 vào ngày nào?" (theo xemlicham.com: mùng 1 Đinh Mùi là thứ Bảy 6/2/2027); ' +
      `Giỗ Tổ: ${ALGO_ONLY}`,
  },
  { year: 2028, tet: '2028-01-26', hungKings: '2028-04-04', source: ALGO_ONLY },
  {
    year: 2029,
    tet: '2029-02-13',
    hungKings: '2029-04-23',
    source: `${ALGO_ONLY}. Trang izumi.edu.vn ghi "10/2/2029, năm Kỷ Mão" — sai (năm 2029 là Kỷ Dậu), không dùng`,
  },
  {
    year: 2030,
    tet: '2030-02-02',
    hungKings: '2030-04-12',
    source:
      'Tết: scienceinfo.net "Why is the Vietnamese and Chinese New Year a day different?" (năm 2030 Việt Nam ăn Tết sớm hơn Trung Quốc một ngày; Trung Quốc 03/02/2030); ' +
      `trăng mới 16:07 UTC 02/02/2030 (23:07 giờ Hà Nội). Giỗ Tổ: ${ALGO_ONLY}`,
  },
  { year: 2031, tet: '2031-01-23', hungKings: '2031-04-01', source: ALGO_ONLY },
  { year: 2032, tet: '2032-02-11', hungKings: '2032-04-19', source: ALGO_ONLY },
  {
    year: 2033,
    tet: '2033-01-31',
    hungKings: '2033-04-09',
    source: `${ALGO_ONLY} (năm Quý Sửu có tháng 11 nhuận, sau Giỗ Tổ nên không ảnh hưởng hai ngày này)`,
  },
  { year: 2034, tet: '2034-02-19', hungKings: '2034-04-28', source: ALGO_ONLY },
  { year: 2035, tet: '2035-02-08', hungKings: '2035-04-17', source: ALGO_ONLY },
];
