import type { Messages } from './messages.js';

/** "provinces" from "province": the parts a rollup counts, as a sentence names them. */
function plural(word: string, count: number): string {
  return count === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`;
}

const s = (n: number) => (n === 1 ? '' : 's');

/** English: what Pacer has always said, and what the machine fields (the API's `explanation`) keep. */
export const english: Messages = {
  statuses: {
    missed: 'Missed',
    off_track: 'Off track',
    at_risk: 'At risk',
    no_data: 'No data',
    on_track: 'On track',
    achieved: 'Achieved',
  },
  reasons: {
    target_met: 'met by the deadline',
    deadline_passed: 'deadline passed without it',
    no_report: 'no value reported',
    incomplete_coverage: 'too few parts reported',
    stale: 'latest value too old',
    task_open: 'task not done, not yet due',
    task_due_soon: 'task not done, due within 14 days',
    milestone_missed: 'a milestone was missed',
    forecast_meets: 'the forecast meets the target',
    forecast_short: 'the forecast falls short',
  },
  value: {
    done: 'Done',
    notDone: 'Not done',
    perDay: (pace) => `${pace} a day`,
    pointsPerDay: (points) => `${points} percentage points a day`,
    atMost: (value) => `at most ${value}`,
  },
  level: (level, count) => plural(level ?? 'part', count),
  partialRollup: {
    sum: 'partial sum',
    mean: 'partial mean',
    min: 'partial min',
    max: 'partial max',
    none: 'partial none',
  },
  explain: {
    targetMet: (p) => `Met on ${p.met}, by the deadline of ${p.deadline}: the target was ${p.target}.`,
    deadlinePassed: (p) => `The deadline of ${p.deadline} passed at ${p.value} of ${p.target} (${p.progress}).`,
    deadlinePassedNoValue: (p) => `The deadline of ${p.deadline} passed with no value reported by then.`,
    metLater: ' The target was met later.',
    incompleteCoverage: (p) => {
      const by = p.deadline !== null ? `By the deadline of ${p.deadline}, only ` : 'Only ';
      const counted = p.reported
        ? `${p.reported.count} of ${p.reported.total} ${p.reported.level} reported`
        : 'too few parts reported';
      const sum = p.partial ? `; their ${english.partialRollup[p.partial.rollup]} is ${p.partial.value}` : '';
      return `${by}${counted} (at least ${p.needed} needed)${sum}.`;
    },
    noReportTask: (p) => `No report on this task yet; it is due ${p.deadline}.`,
    noReport: (p) => `No value has been reported yet; the target is ${p.target} by ${p.deadline}.`,
    stale: (p) =>
      `The latest value, ${p.value} of ${p.day}, is older than ${p.intervals} update intervals (${p.days} days): ` +
      'no current figure to judge.',
    taskOpen: (p) => `Reported not done; due ${p.deadline}.`,
    taskDueSoon: (p) => `Not done, and due within ${p.days} days, on ${p.deadline}.`,
    forecastMeets: (p) =>
      `At ${p.pace} the forecast reaches ${p.projected} by ${p.deadline}, meeting the target ${p.target}.`,
    forecastShort: (p) =>
      `At ${p.pace} the forecast reaches ${p.projected} of ${p.target} by ${p.deadline} (${p.progress}): ` +
      (p.within ? `short, within the ${p.tolerance} tolerance.` : `short beyond the ${p.tolerance} tolerance.`),
    milestoneMissed: (p) => ` The milestone of ${p.day} was missed: ${p.observed} against ${p.value}.`,
  },
  page: {
    languageName: 'English',
    languageSwitch: 'Language',
    brand: 'Pacer scorecard',
    pageTitle: (title) => `${title} · Pacer`,
    scorecard: 'Scorecard',
    directiveTargets: 'Directive targets',
    asOf: 'As of',
    asOfDay: (day) => `as of ${day}`,
    asOfLead: 'as of',
    asOfEndOf: (day) => `the end of ${day}`,
    asOfNow: (day) => `now (${day})`,
    show: 'Show',
    issued: (day) => `issued ${day}`,
    targetsCount: (n) => `${n} targets`,
    directiveText: 'directive text',
    statusLegend: 'Status',
    owner: 'Owner',
    allOwners: 'All owners',
    clearFilters: 'Clear filters',
    countsLabel: 'Targets by status',
    shown: (shown, total) => (shown === total ? `All ${total} targets` : `${shown} of ${total} targets`),
    worstFirst: 'worst first',
    barNote: (day) =>
      'The bar shows progress from baseline to target; the black mark is where the expected pace ' +
      (day ? `was at the end of ${day}.` : 'is today.'),
    shownRange: (first, last) => `${first}–${last} shown`,
    previous: 'Previous',
    next: 'Next',
    pagesLabel: 'Pages of targets',
    download: 'Download',
    noMatch: 'No target matches these filters.',
    head: {
      status: 'Status',
      target: 'Target',
      owner: 'Owner',
      due: 'Due',
      current: 'Current',
      targetValue: 'Target',
      progress: 'Progress vs expected pace',
      projected: 'Projected at deadline',
      completion: 'Projected completion',
    },
    partial: 'partial',
    chanceToMeet: (chance) => `chance to meet: ${chance}`,
    metLate: 'met after the deadline',
    notAtThisPace: 'not at this pace',
    noValue: 'no value',
    progressText: (progress, expected) => `${progress} · expected ${expected}`,
    progressLabel: (text) => `Progress ${text}`,
    error: {
      notFound: 'Not found',
      unavailable: 'The data cannot be read right now',
      failed: 'Cannot show this page',
      retry: (seconds) => `Please retry in ${seconds} seconds: reload this page.`,
      code: 'Code',
      back: 'Back to the scorecard',
      title: (status) => `Error ${status}`,
    },
    target: {
      allTargets: '← All targets',
      sources: {
        direct: 'observed',
        children: 'rolled up from its parts',
        predecessors: 'rolled up from the units merged into it',
      },
      coverage: (share, partial) => `, ${share} of parts reporting${partial ? ' (a partial value)' : ''}`,
      currentNote: (source, day, coverage) => `${source} ${day}${coverage}`,
      noValueYet: 'no value yet',
      taskDated: 'a dated task',
      whereForecastReaches: 'where the forecast reaches the target',
      band: (low, high) => `80% band ${low} to ${high}`,
      decided: 'decided',
      figures: {
        current: 'Current',
        expected: 'Expected by now',
        onPaceLine: 'on the pace line',
        progress: 'Progress',
        expectedProgress: (p) => `expected ${p}`,
        valueAtDeadline: 'Value at the deadline',
        projectedAtDeadline: 'Projected at the deadline',
        targetLevel: (level) => `target ${level}`,
        chance: 'Chance to meet',
        completion: 'Projected completion',
        deadline: 'Deadline',
        endOfDay: (timezone) => `end of day, ${timezone}`,
      },
      sub: (p) => `${p.directive}, ${p.source} · ${p.owner} · `,
      indicatorIn: (indicator, unit) => `${indicator} (${unit}) in `,
      chart: {
        noScript: 'The chart needs JavaScript; the observations table below has every value.',
        noObservations: 'No observation of this target’s own series up to this date.',
        observations: (n, latest, day) => `${n} observation${s(n)} up to this date, the latest ${latest} on ${day}.`,
        pace: (p) =>
          `Expected pace: from ${p.baseline} on ${p.baselineDay} to ${p.target} by ${p.due}` +
          (p.milestones > 0 ? `, through ${p.milestones} milestone${s(p.milestones)}` : '') +
          '.',
        forecast: (value, completion) =>
          `Forecast: ${value} at the deadline` +
          (completion ? `, reaching the target on ${completion}.` : ', never reaching the target at this pace.'),
        forecastAfter: (value, day, reaching) =>
          `Forecast after the deadline: ${value} by ${day}` +
          (reaching ? ', where it reaches the target.' : ' at the latest pace.'),
        band: (low, high, chance) =>
          `80% band at the deadline: ${low} to ${high}; chance to meet the target ${chance}.`,
        observed: 'Observed',
        expectedPace: 'Expected pace',
        forecastKey: 'Forecast',
        milestoneKey: 'Milestone (met, missed, due)',
        eventKey: 'Event',
        eventsTitle: 'Events',
        targetKey: (value) => `Target ${value}`,
        deadlineKey: (day) => `Deadline ${day}`,
        flagged: 'Flagged value',
        bandKey: '80% band',
      },
      flaggedTitle: 'Flagged values',
      flaggedNote: 'Stored as pushed, but flagged by the data-quality checks: worth a look at the source.',
      observationsTitle: 'Observations',
      observationsNote: (indicator) => ({ before: `${indicator} in `, after: ', newest first.' }),
      earlier: (n) => `${n} earlier observations are not listed.`,
      later: (n, count) => `${n} observation${count === 1 ? ' is' : 's are'} dated after this date.`,
      batch: (id) => `batch ${id}`,
      revision: (p) => `${p.from} → ${p.to} on ${p.day}`,
      none: 'None up to this date.',
      observationsHead: {
        observed: 'Observed',
        value: 'Value',
        note: 'Note',
        recorded: 'Recorded',
        revisions: 'Revisions',
      },
      historyTitle: 'Status history',
      noHistory: 'No stored evaluation up to this date. ',
      noHistoryHow: { before: 'Evaluations are stored by the worker role and by ', after: '.' },
      historyHead: { asOf: 'As of', from: 'From', to: 'To' },
      firstEvaluation: 'first evaluation',
      byLevel: (level) => `By ${level}`,
      regionsNote: (p) => ({
        before: `${p.reporting} of ${p.parts} ${p.level} of `,
        after:
          ` in force on ${p.inForce} have a value as of ${p.day}. Values of units merged since count toward the ` +
          `${p.unit} they merged into.`,
      }),
      reporting: (share) => `, ${share} reporting`,
      regionsLabel: (indicator, level) => `${indicator} by ${level}, largest first`,
      noRegional: 'No regional values for this indicator.',
      withoutValue: (n, level) => `${n} ${level} without a value`,
      note: 'Note',
    },
  },
  cli: {
    heading: (p) =>
      `${p.title ? `${p.title}: ` : ''}${p.shown === p.total ? p.total : `${p.shown} of ${p.total}`} targets ` +
      `as of ${p.asOf} ` +
      `(${p.timezone})${p.known}, worst first`,
    directives: (n) => `${n} directives`,
    asOf: (p) => `as of ${p.asOf} (${p.timezone})${p.known}`,
    knownAt: (when) => `, as known at ${when}`,
    head: {
      status: 'STATUS',
      target: 'TARGET',
      progress: 'PROGRESS',
      expected: 'EXPECTED',
      current: 'CURRENT',
      projected: 'PROJECTED',
      targetValue: 'TARGET VALUE',
      completion: 'COMPLETION',
      due: 'DUE',
      reason: 'REASON',
    },
    metLate: ' (met late)',
  },
  report: {
    title: (day, timezone) => `Scorecard as of ${day} (${timezone})`,
    issued: (p) => `${p.issuer}, issued ${p.day}. ${p.count} targets: ${p.counts}.`,
    partial: ', partial',
    metLate: ' (met late)',
    notAtThisPace: 'not at this pace',
    head: {
      status: 'Status',
      reason: 'Reason',
      explanation: 'Explanation',
      target: 'Target',
      title: 'Title',
      owner: 'Owner',
      indicator: 'Indicator',
      region: 'Region',
      baseline: 'Baseline',
      targetValue: 'Target value',
      direction: 'Direction',
      current: 'Current',
      currentDate: 'Current value date',
      progress: 'Progress',
      expectedProgress: 'Expected progress',
      progressExpected: 'Progress (expected)',
      projected: 'Projected at deadline',
      valueAtDeadline: 'Value at deadline',
      completion: 'Projected completion',
      due: 'Due date',
      why: 'Why',
    },
    atLeast: 'at least',
    atMost: 'at most',
    notes: 'Notes',
    metAfterDeadline: 'met after the deadline',
    partialValue: 'partial value',
    sheetTitle: (p) => `${p.directive}: ${p.count} targets as of ${p.day} (${p.timezone}), worst first`,
    observationsTitle: (p) => `The observation behind each current value, as of ${p.day} (${p.timezone})`,
    observationsSheet: 'Observations',
    observation: {
      indicatorName: 'Indicator name',
      regionName: 'Region name',
      date: 'Date',
      value: 'Value',
      unit: 'Unit',
      source: 'Source',
      coverage: 'Coverage',
      note: 'Note',
      batch: 'Batch',
      batchSource: 'Batch source',
      feed: 'Feed',
    },
    sources: {
      direct: 'Observed',
      children: 'Rolled up from its parts',
      predecessors: 'Rolled up from merged units',
    },
    // ISO dates: the spelling the scorecard's machine fields and the CSV use.
    dateFormat: 'yyyy-mm-dd',
  },
  alerts: {
    done: 'done',
    notDone: 'not done',
    figures: (p) =>
      `Current ${p.current}, expected by now ${p.expected}, projected at the deadline ${p.projected} ` +
      `against a target of ${p.target}; deadline ${p.due}.`,
    reason: (code) => `Reason: ${code}.`,
    offTrack: {
      summary: (target, title) => `Target ${target} is off track: ${title}`,
      description: (why) => `the forecast misses the target by more than the tolerance. ${why}`,
    },
    atRisk: {
      summary: (target, title) => `Target ${target} is at risk: ${title}`,
      description: (why) =>
        `the forecast misses the target, by no more than the tolerance, or a milestone was missed. ${why}`,
    },
    missed: {
      summary: (target, title) => `Target ${target} was missed: ${title}`,
      description: (why) => `the deadline passed without the target being met. ${why}`,
    },
    deadline: {
      summary: (target, days) => `Deadline of ${target} within ${days} days, progress behind pace`,
      description: (p) => `progress ${p.progress} against an expected ${p.expected}.`,
    },
    unlikely: {
      summary: (target, title) => `Target ${target} is unlikely to be met: ${title}`,
      description: (p) =>
        `the chance to meet the target is ${p.chance}, below ${p.threshold}; ` +
        `the value at the deadline is likely (80%) between ${p.low} and ${p.high}.`,
    },
    noData: {
      summary: (target, title) => `No recent data for target ${target}: ${title}`,
      description: (p) =>
        `the indicator ${p.indicator} has no value in region ${p.region}, its latest is older than three update ` +
        `intervals, or too few of its parts reported, so the target cannot be judged. ${p.why}`,
    },
  },
  warnings: {
    decrease: (p) => `value ${p.value} is below the previous ${p.previous} of ${p.day} for a cumulative indicator`,
    decreaseFollowing: (p) =>
      `value ${p.previous} is above the following ${p.value} of ${p.day} for a cumulative indicator`,
    jump: (p) =>
      `rise of ${p.rise} in ${p.days === 1 ? '1 day' : `${p.daysText} days`} (since ${p.since}) is ${p.times}× ` +
      `the trailing pace of ${p.pace} a day`,
    jumpFollowing: (p) => `the next value, ${p.value} of ${p.day}, is a ${p.jump}`,
  },
  dashboards: {
    overview: 'Pacer: directive overview',
    target: 'Pacer: target detail',
    regions: 'Pacer: regions',
    pipeline: 'Pacer: feeds and pipeline',
  },
};
