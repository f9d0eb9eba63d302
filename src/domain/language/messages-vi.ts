import type { Messages } from './messages.js';

/**
 * Region levels as Vietnamese administrative writing counts them: "20/34 tỉnh, thành phố". The
 * catalog's levels are English words; one it does not list reads as "đơn vị" (unit).
 */
const levels: Record<string, string> = {
  nation: 'quốc gia',
  country: 'quốc gia',
  province: 'tỉnh, thành phố',
  district: 'huyện',
  commune: 'xã, phường',
  ward: 'phường',
};

const rollups: Messages['partialRollup'] = {
  sum: 'tổng tạm tính',
  mean: 'giá trị trung bình tạm tính',
  min: 'giá trị nhỏ nhất tạm tính',
  max: 'giá trị lớn nhất tạm tính',
  none: 'giá trị tạm tính',
};

/**
 * Vietnamese, in the register of a ministry's progress report: "Chậm tiến độ", "dự báo đạt ... vào
 * 30/06/2023". Written as sentences of their own, not word by word from the English.
 */
export const vietnamese: Messages = {
  statuses: {
    missed: 'Không đạt',
    off_track: 'Chậm tiến độ',
    at_risk: 'Có nguy cơ chậm',
    no_data: 'Chưa có số liệu',
    on_track: 'Đúng tiến độ',
    achieved: 'Đã đạt',
  },
  reasons: {
    target_met: 'đạt chỉ tiêu trong hạn',
    deadline_passed: 'hết hạn mà chưa đạt',
    no_report: 'chưa có số liệu báo cáo',
    incomplete_coverage: 'quá ít đơn vị báo cáo',
    stale: 'số liệu mới nhất đã cũ',
    task_open: 'nhiệm vụ chưa hoàn thành, chưa đến hạn',
    task_due_soon: 'nhiệm vụ chưa hoàn thành, còn dưới 14 ngày đến hạn',
    milestone_missed: 'không đạt một mốc trung gian',
    forecast_meets: 'dự báo đạt chỉ tiêu',
    forecast_short: 'dự báo không đạt chỉ tiêu',
  },
  value: {
    done: 'Đã hoàn thành',
    notDone: 'Chưa hoàn thành',
    perDay: (pace) => `${pace} mỗi ngày`,
    pointsPerDay: (points) => `${points} điểm phần trăm mỗi ngày`,
    atMost: (value) => `tối đa ${value}`,
  },
  level: (level) => (level === null ? 'đơn vị' : (levels[level] ?? 'đơn vị')),
  partialRollup: rollups,
  explain: {
    targetMet: (p) => `Đạt chỉ tiêu ${p.target} ngày ${p.met}, trong hạn ${p.deadline}.`,
    deadlinePassed: (p) => `Hết hạn ${p.deadline}, kết quả mới đạt ${p.value}/${p.target} (${p.progress}).`,
    deadlinePassedNoValue: (p) => `Hết hạn ${p.deadline} mà không có số liệu báo cáo đến thời điểm đó.`,
    metLater: ' Chỉ tiêu đã đạt sau thời hạn.',
    incompleteCoverage: (p) => {
      const by = p.deadline !== null ? `Đến hạn ${p.deadline}, mới có ` : 'Mới có ';
      const counted = p.reported
        ? `${p.reported.count}/${p.reported.total} ${p.reported.level} báo cáo`
        : 'quá ít đơn vị báo cáo';
      const sum = p.partial ? `; ${rollups[p.partial.rollup]} là ${p.partial.value}` : '';
      return `${by}${counted} (cần tối thiểu ${p.needed})${sum}.`;
    },
    noReportTask: (p) => `Chưa có báo cáo về nhiệm vụ này; hạn hoàn thành ${p.deadline}.`,
    noReport: (p) => `Chưa có số liệu báo cáo; chỉ tiêu ${p.target}, hạn ${p.deadline}.`,
    stale: (p) =>
      `Số liệu mới nhất (${p.value}, ngày ${p.day}) đã quá ${p.intervals} kỳ cập nhật (${p.days} ngày): ` +
      'chưa có số liệu hiện hành để đánh giá.',
    taskOpen: (p) => `Báo cáo chưa hoàn thành; hạn ${p.deadline}.`,
    taskDueSoon: (p) => `Chưa hoàn thành, chỉ còn chưa đầy ${p.days} ngày đến hạn ${p.deadline}.`,
    forecastMeets: (p) =>
      `Theo tốc độ ${p.pace}, dự báo đạt ${p.projected} vào ${p.deadline}, hoàn thành chỉ tiêu ${p.target}.`,
    forecastShort: (p) =>
      `Theo tốc độ ${p.pace}, dự báo đạt ${p.projected}/${p.target} vào ${p.deadline} (${p.progress}): ` +
      (p.within
        ? `chưa đạt chỉ tiêu nhưng còn trong biên độ cho phép ${p.tolerance}.`
        : `chưa đạt chỉ tiêu, vượt quá biên độ cho phép ${p.tolerance}.`),
    milestoneMissed: (p) => ` Không đạt mốc ngày ${p.day}: mới đạt ${p.observed} so với yêu cầu ${p.value}.`,
  },
  page: {
    languageName: 'Tiếng Việt',
    languageSwitch: 'Ngôn ngữ',
    brand: 'Pacer: theo dõi tiến độ',
    pageTitle: (title) => `${title} · Pacer`,
    scorecard: 'Bảng theo dõi',
    directiveTargets: 'Chỉ tiêu của chỉ thị',
    asOf: 'Tính đến ngày',
    asOfDay: (day) => `tính đến ngày ${day}`,
    asOfLead: 'tính đến',
    asOfEndOf: (day) => `hết ngày ${day}`,
    asOfNow: (day) => `hiện tại (${day})`,
    show: 'Xem',
    issued: (day) => `ban hành ngày ${day}`,
    targetsCount: (n) => `${n} chỉ tiêu`,
    directiveText: 'toàn văn chỉ thị',
    statusLegend: 'Tình trạng',
    owner: 'Cơ quan chủ trì',
    allOwners: 'Tất cả cơ quan',
    clearFilters: 'Bỏ lọc',
    countsLabel: 'Số chỉ tiêu theo tình trạng',
    shown: (shown, total) => (shown === total ? `Toàn bộ ${total} chỉ tiêu` : `${shown}/${total} chỉ tiêu`),
    worstFirst: 'chỉ tiêu chậm nhất xếp trước',
    barNote: (day) =>
      'Thanh thể hiện tiến độ từ mức cơ sở đến chỉ tiêu; vạch đen là mức cần đạt theo tiến độ ' +
      (day ? `vào cuối ngày ${day}.` : 'đến hôm nay.'),
    shownRange: (first, last) => `hiển thị ${first}–${last}`,
    previous: 'Trang trước',
    next: 'Trang sau',
    pagesLabel: 'Các trang chỉ tiêu',
    download: 'Tải về',
    noMatch: 'Không có chỉ tiêu nào khớp bộ lọc.',
    head: {
      status: 'Tình trạng',
      target: 'Chỉ tiêu',
      owner: 'Cơ quan chủ trì',
      due: 'Thời hạn',
      current: 'Hiện tại',
      targetValue: 'Mục tiêu',
      progress: 'Tiến độ so với kế hoạch',
      projected: 'Dự báo đến hạn',
      completion: 'Dự kiến hoàn thành',
    },
    partial: 'chưa đủ',
    chanceToMeet: (chance) => `khả năng đạt: ${chance}`,
    metLate: 'đạt sau thời hạn',
    notAtThisPace: 'không đạt với tốc độ này',
    noValue: 'chưa có số liệu',
    progressText: (progress, expected) => `${progress} · kế hoạch ${expected}`,
    progressLabel: (text) => `Tiến độ ${text}`,
    error: {
      notFound: 'Không tìm thấy',
      unavailable: 'Hiện chưa đọc được dữ liệu',
      failed: 'Không hiển thị được trang này',
      retry: (seconds) => `Vui lòng thử lại sau ${seconds} giây: tải lại trang này.`,
      code: 'Mã lỗi',
      back: 'Quay lại bảng theo dõi',
      title: (status) => `Lỗi ${status}`,
    },
    target: {
      allTargets: '← Tất cả chỉ tiêu',
      sources: {
        direct: 'số liệu báo cáo',
        children: 'tổng hợp từ các đơn vị trực thuộc',
        predecessors: 'tổng hợp từ các đơn vị đã sáp nhập',
      },
      coverage: (share, partial) => `, ${share} đơn vị đã báo cáo${partial ? ' (số liệu chưa đủ)' : ''}`,
      currentNote: (source, day, coverage) => `${source} ngày ${day}${coverage}`,
      noValueYet: 'chưa có số liệu',
      taskDated: 'nhiệm vụ có thời hạn',
      whereForecastReaches: 'ngày dự báo đạt chỉ tiêu',
      band: (low, high) => `khoảng 80%: ${low} đến ${high}`,
      decided: 'đã có kết quả',
      figures: {
        current: 'Hiện tại',
        expected: 'Kế hoạch đến nay',
        onPaceLine: 'theo đường tiến độ',
        progress: 'Tiến độ',
        expectedProgress: (p) => `kế hoạch ${p}`,
        valueAtDeadline: 'Kết quả tại thời hạn',
        projectedAtDeadline: 'Dự báo đến hạn',
        targetLevel: (level) => `chỉ tiêu ${level}`,
        chance: 'Khả năng đạt',
        completion: 'Dự kiến hoàn thành',
        deadline: 'Thời hạn',
        endOfDay: (timezone) => `hết ngày, múi giờ ${timezone}`,
      },
      sub: (p) => `${p.directive}, ${p.source} · ${p.owner} · `,
      indicatorIn: (indicator, unit) => `${indicator} (${unit}) tại `,
      chart: {
        noScript: 'Biểu đồ cần JavaScript; bảng số liệu bên dưới có đủ mọi giá trị.',
        noObservations: 'Chưa có số liệu nào của chỉ tiêu này đến ngày này.',
        observations: (n, latest, day) => `${n} số liệu đến ngày này, mới nhất ${latest} ngày ${day}.`,
        pace: (p) =>
          `Tiến độ kế hoạch: từ ${p.baseline} ngày ${p.baselineDay} đến ${p.target} vào ${p.due}` +
          (p.milestones > 0 ? `, qua ${p.milestones} mốc trung gian` : '') +
          '.',
        forecast: (value, completion) =>
          `Dự báo: ${value} tại thời hạn` +
          (completion ? `, đạt chỉ tiêu vào ${completion}.` : ', không đạt chỉ tiêu với tốc độ này.'),
        forecastAfter: (value, day, reaching) =>
          `Dự báo sau thời hạn: ${value} vào ${day}` + (reaching ? ', khi đạt chỉ tiêu.' : ' theo tốc độ gần nhất.'),
        band: (low, high, chance) => `Khoảng 80% tại thời hạn: ${low} đến ${high}; khả năng đạt chỉ tiêu ${chance}.`,
        observed: 'Số liệu báo cáo',
        expectedPace: 'Tiến độ kế hoạch',
        forecastKey: 'Dự báo',
        milestoneKey: 'Mốc (đã đạt, không đạt, chưa đến hạn)',
        eventKey: 'Sự kiện',
        eventsTitle: 'Sự kiện',
        targetKey: (value) => `Chỉ tiêu ${value}`,
        deadlineKey: (day) => `Thời hạn ${day}`,
        flagged: 'Số liệu bị gắn cờ',
        bandKey: 'Khoảng 80%',
      },
      flaggedTitle: 'Số liệu bị gắn cờ',
      flaggedNote: 'Được lưu như đã gửi, nhưng bị kiểm tra chất lượng gắn cờ: nên đối chiếu với nguồn.',
      observationsTitle: 'Số liệu báo cáo',
      observationsNote: (indicator) => ({ before: `${indicator} tại `, after: ', mới nhất xếp trước.' }),
      earlier: (n) => `${n} số liệu cũ hơn không được liệt kê.`,
      later: (n) => `${n} số liệu có ngày sau ngày này.`,
      batch: (id) => `lô ${id}`,
      revision: (p) => `${p.from} → ${p.to} ngày ${p.day}`,
      none: 'Chưa có đến ngày này.',
      observationsHead: {
        observed: 'Ngày số liệu',
        value: 'Giá trị',
        note: 'Ghi chú',
        recorded: 'Ngày ghi nhận',
        revisions: 'Điều chỉnh',
      },
      historyTitle: 'Lịch sử tình trạng',
      noHistory: 'Chưa có kết quả đánh giá nào được lưu đến ngày này. ',
      noHistoryHow: { before: 'Kết quả đánh giá được lưu bởi tiến trình worker và lệnh ', after: '.' },
      historyHead: { asOf: 'Tính đến ngày', from: 'Từ', to: 'Sang' },
      firstEvaluation: 'lần đánh giá đầu tiên',
      byLevel: (level) => `Theo ${level}`,
      regionsNote: (p) => ({
        before: `${p.reporting}/${p.parts} ${p.level} của `,
        after:
          ` (theo địa giới ngày ${p.inForce}) có số liệu đến ngày ${p.day}. Số liệu của các đơn vị đã sáp nhập ` +
          `được tính cho ${p.unit} mà đơn vị đó sáp nhập vào.`,
      }),
      reporting: (share) => `, ${share} đã báo cáo`,
      regionsLabel: (indicator, level) => `${indicator} theo ${level}, lớn nhất xếp trước`,
      noRegional: 'Chưa có số liệu theo địa phương cho chỉ số này.',
      withoutValue: (n, level) => `${n} ${level} chưa có số liệu`,
      note: 'Ghi chú',
    },
  },
  cli: {
    heading: (p) =>
      `${p.title ? `${p.title}: ` : ''}${p.shown === p.total ? p.total : `${p.shown}/${p.total}`} chỉ tiêu ` +
      `tính đến ${p.asOf} ` +
      `(${p.timezone})${p.known}, chậm nhất xếp trước`,
    directives: (n) => `${n} chỉ thị`,
    asOf: (p) => `tính đến ${p.asOf} (${p.timezone})${p.known}`,
    knownAt: (when) => `, theo số liệu đã ghi nhận đến ${when}`,
    head: {
      status: 'TÌNH TRẠNG',
      target: 'CHỈ TIÊU',
      progress: 'TIẾN ĐỘ',
      expected: 'KẾ HOẠCH',
      current: 'HIỆN TẠI',
      projected: 'DỰ BÁO',
      targetValue: 'MỤC TIÊU',
      completion: 'HOÀN THÀNH',
      due: 'THỜI HẠN',
      reason: 'LÝ DO',
    },
    metLate: ' (đạt muộn)',
  },
  report: {
    title: (day, timezone) => `Bảng theo dõi tính đến ngày ${day} (${timezone})`,
    issued: (p) => `${p.issuer}, ban hành ngày ${p.day}. ${p.count} chỉ tiêu: ${p.counts}.`,
    partial: ', chưa đủ',
    metLate: ' (đạt muộn)',
    notAtThisPace: 'không đạt với tốc độ này',
    head: {
      status: 'Tình trạng',
      reason: 'Mã lý do',
      explanation: 'Giải thích',
      target: 'Mã chỉ tiêu',
      title: 'Chỉ tiêu',
      owner: 'Cơ quan chủ trì',
      indicator: 'Chỉ số',
      region: 'Địa bàn',
      baseline: 'Mức cơ sở',
      targetValue: 'Mục tiêu',
      direction: 'Chiều',
      current: 'Hiện tại',
      currentDate: 'Ngày số liệu',
      progress: 'Tiến độ',
      expectedProgress: 'Tiến độ kế hoạch',
      progressExpected: 'Tiến độ (kế hoạch)',
      projected: 'Dự báo đến hạn',
      valueAtDeadline: 'Kết quả tại thời hạn',
      completion: 'Dự kiến hoàn thành',
      due: 'Thời hạn',
      why: 'Lý do',
    },
    atLeast: 'tối thiểu',
    atMost: 'tối đa',
    notes: 'Ghi chú',
    metAfterDeadline: 'đạt sau thời hạn',
    partialValue: 'số liệu chưa đủ',
    sheetTitle: (p) =>
      `${p.directive}: ${p.count} chỉ tiêu, tính đến ngày ${p.day} (${p.timezone}), chỉ tiêu chậm nhất xếp trước`,
    observationsTitle: (p) =>
      `Số liệu làm căn cứ cho giá trị hiện tại của từng chỉ tiêu, tính đến ngày ${p.day} (${p.timezone})`,
    observationsSheet: 'Số liệu',
    observation: {
      indicatorName: 'Tên chỉ số',
      regionName: 'Tên địa bàn',
      date: 'Ngày số liệu',
      value: 'Giá trị',
      unit: 'Đơn vị tính',
      source: 'Nguồn',
      coverage: 'Tỷ lệ đơn vị báo cáo',
      note: 'Ghi chú',
      batch: 'Lô',
      batchSource: 'Nguồn lô',
      feed: 'Luồng dữ liệu',
    },
    sources: {
      direct: 'Số liệu báo cáo',
      children: 'Tổng hợp từ các đơn vị trực thuộc',
      predecessors: 'Tổng hợp từ các đơn vị đã sáp nhập',
    },
    dateFormat: 'dd/mm/yyyy',
  },
  alerts: {
    done: 'đã hoàn thành',
    notDone: 'chưa hoàn thành',
    figures: (p) =>
      `Hiện tại ${p.current}, kế hoạch đến nay ${p.expected}, dự báo đến hạn ${p.projected} ` +
      `so với chỉ tiêu ${p.target}; thời hạn ${p.due}.`,
    reason: (code) => `Mã lý do: ${code}.`,
    offTrack: {
      summary: (target, title) => `Chỉ tiêu ${target} chậm tiến độ: ${title}`,
      description: (why) => `dự báo không đạt chỉ tiêu, vượt quá biên độ cho phép. ${why}`,
    },
    atRisk: {
      summary: (target, title) => `Chỉ tiêu ${target} có nguy cơ chậm: ${title}`,
      description: (why) =>
        `dự báo không đạt chỉ tiêu nhưng còn trong biên độ cho phép, hoặc không đạt một mốc trung gian. ${why}`,
    },
    missed: {
      summary: (target, title) => `Chỉ tiêu ${target} không đạt: ${title}`,
      description: (why) => `đã hết thời hạn mà chưa đạt chỉ tiêu. ${why}`,
    },
    deadline: {
      summary: (target, days) => `Chỉ tiêu ${target} còn dưới ${days} ngày đến hạn, tiến độ chậm hơn kế hoạch`,
      description: (p) => `tiến độ ${p.progress}, kế hoạch đến nay ${p.expected}.`,
    },
    unlikely: {
      summary: (target, title) => `Chỉ tiêu ${target} khó đạt: ${title}`,
      description: (p) =>
        `khả năng đạt chỉ tiêu là ${p.chance}, dưới ngưỡng ${p.threshold}; ` +
        `giá trị tại thời hạn nhiều khả năng (80%) nằm trong khoảng ${p.low} đến ${p.high}.`,
    },
    noData: {
      summary: (target, title) => `Chỉ tiêu ${target} chưa có số liệu mới: ${title}`,
      description: (p) =>
        `chỉ số ${p.indicator} chưa có số liệu tại địa bàn ${p.region}, số liệu mới nhất đã quá ba kỳ cập nhật, ` +
        `hoặc quá ít đơn vị báo cáo, nên chưa đánh giá được chỉ tiêu. ${p.why}`,
    },
  },
  warnings: {
    decrease: (p) => `giá trị ${p.value} thấp hơn giá trị trước đó ${p.previous} ngày ${p.day} của một chỉ số lũy kế`,
    decreaseFollowing: (p) =>
      `giá trị ${p.previous} cao hơn giá trị sau đó ${p.value} ngày ${p.day} của một chỉ số lũy kế`,
    jump: (p) =>
      `mức tăng ${p.rise} trong ${p.daysText} ngày (từ ngày ${p.since}) gấp ${p.times} lần ` +
      `tốc độ bình quân gần đây là ${p.pace} mỗi ngày`,
    jumpFollowing: (p) => `giá trị kế tiếp, ${p.value} ngày ${p.day}, có ${p.jump}`,
  },
  dashboards: {
    overview: 'Pacer: tổng quan chỉ thị',
    target: 'Pacer: chi tiết chỉ tiêu',
    regions: 'Pacer: theo địa phương',
    pipeline: 'Pacer: luồng dữ liệu và hệ thống',
  },
};
