import type { TargetStatus } from '../../conventions.js';
import type { Formatter } from '../../domain/language/formatter.js';
import { formatLocalDate } from '../../domain/time/zoned-time.js';
import type { TargetDetail } from '../scorecard-schema.js';
import { progressBar } from './directive-page.js';
import { html, jsonScript, type SafeHtml } from './html.js';
import { knownAtToggle } from './known-at-toggle.js';
import { asOfDay, asOfForm, layout, queryString, statusBadge, type AssetUrl, type PageLanguage } from './layout.js';

/**
 * The target page (`/targets/{id}`): key figures, one chart (observations, expected pace,
 * forecast, target level, deadline), the observations with their revisions, the status history
 * and the regional breakdown. Everything but the chart is plain HTML; the chart's data is inline
 * JSON drawn by uPlot, and summarised in words for readers without JavaScript.
 */
export function renderTargetPage(
  detail: TargetDetail,
  at: string | undefined,
  assetUrl: AssetUrl,
  language: PageLanguage,
  knownAt?: string,
): string {
  const f = language.format;
  const say = f.messages.page.target;
  const t = detail.target;
  const tz = detail.timezone;
  const isoDay = asOfDay(detail.as_of, tz);
  const day = f.calendarDay(isoDay);
  const on = (instant: string) => f.day(instant);
  const value = (x: number) => f.value(x, t.kind);
  const milestone = t.kind === 'milestone';

  const current = t.current === null ? '—' : html`<data id="current" value="${t.current}">${value(t.current)}</data>`;
  const coverage = t.coverage !== null && t.coverage < 1 ? say.coverage(f.percent(t.coverage), t.partial) : '';
  const currentNote = t.current_observed_at
    ? say.currentNote(say.sources[t.current_source ?? 'direct'], on(t.current_observed_at), coverage)
    : say.noValueYet;
  const progress = t.progress === null ? '—' : f.percent(t.progress);
  const projected =
    t.projected === null || milestone
      ? '—'
      : html`<data id="projected" value="${t.projected}">${value(t.projected)}</data>`;
  const targetLevel = `${t.direction === 'at_most' ? '≤ ' : ''}${value(t.target_value)}`;
  // Past the deadline the figure is the actual one, fixed whatever the viewing date.
  const passed = Date.parse(detail.as_of) > Date.parse(t.deadline);
  const completion = milestone
    ? '—'
    : t.projected_completion
      ? html`<time datetime="${t.projected_completion}">${f.calendarDay(t.projected_completion)}</time>`
      : '—';
  const completionNote = milestone
    ? say.taskDated
    : t.projected_completion
      ? say.whereForecastReaches
      : f.messages.page.notAtThisPace;
  const chance =
    t.attainment_probability === null
      ? null
      : html`<data id="chance" value="${t.attainment_probability}">${f.chance(t.attainment_probability)}</data>`;
  const bandNote =
    t.projected_low !== null && t.projected_high !== null && t.projected_low !== t.projected_high
      ? say.band(value(t.projected_low), value(t.projected_high))
      : passed || t.status === 'achieved' || t.status === 'missed'
        ? say.decided
        : '';
  const fig = say.figures;
  const chanceFigure =
    chance === null
      ? ''
      : html`<div><dt>${fig.chance}</dt><dd>${chance}<small>${bandNote}</small></dd></div>
`;
  const due = html`<time datetime="${t.due}">${f.calendarDay(t.due)}</time>`;
  const expectedProgress = fig.expectedProgress(f.percent(t.expected_progress));
  const figures = html`<dl class="figures">
<div><dt>${fig.current}</dt><dd>${current}<small>${currentNote}</small></dd></div>
<div><dt>${fig.expected}</dt><dd>${value(t.expected)}<small>${fig.onPaceLine}</small></dd></div>
<div><dt>${fig.progress}</dt><dd>${progress}<small>${expectedProgress}</small></dd></div>
<div><dt>${passed ? fig.valueAtDeadline : fig.projectedAtDeadline}</dt>\
<dd>${projected}<small>${fig.targetLevel(targetLevel)}</small></dd></div>
${chanceFigure}<div><dt>${fig.completion}</dt><dd>${completion}<small>${completionNote}</small></dd></div>
<div><dt>${fig.deadline}</dt><dd>${due}<small>${fig.endOfDay(tz)}</small></dd></div>
</dl>`;

  const late = t.achieved_late ? ` ${f.messages.page.metLate} ·` : '';
  const sub = [
    html`${statusBadge(t.status, f)}${late} `,
    say.sub({ directive: detail.directive.title, source: t.source, owner: t.owner }),
    html`${say.indicatorIn(t.indicator_name, t.unit)}<span lang="vi">${t.region_name}</span>`,
    html` · <code>${t.target}</code>`,
  ];
  const kept = queryString({ at, known_at: knownAt, lang: language.lang });
  const body = html`<p><a href="/${kept}">${say.allTargets}</a></p>
<h1>${t.title}</h1>
<p class="sub">${sub}</p>
<p class="why" id="explanation" data-reason="${t.reason}">${t.explanation}</p>
${asOfForm(`/targets/${encodeURIComponent(t.target)}`, isoDay, language)}
${knownAtToggle(`/targets/${encodeURIComponent(t.target)}`, { at, known_at: knownAt, lang: language.lang }, detail)}
${figures}
${progressBar(t, f)}
${chart(detail, f)}
${observationsTable(detail, f)}
${historyTable(detail, f)}
${regionsSection(detail, day, f)}
${t.note ? html`<h2>${say.note}</h2><p>${t.note}</p>` : ''}`;

  return layout({
    title: t.title,
    assetUrl,
    head: html`<link rel="stylesheet" href="${assetUrl('uplot.min.css')}">
<script src="${assetUrl('uplot.min.js')}" defer></script>
<script src="${assetUrl('target-chart.js')}" defer></script>`,
    body,
    where: f.messages.page.asOfDay(day),
    language,
    address: { path: `/targets/${encodeURIComponent(t.target)}`, query: { at } },
  });
}

function chart(detail: TargetDetail, f: Formatter): SafeHtml {
  const say = f.messages.page.target.chart;
  const t = detail.target;
  const sec = (instant: string) => Date.parse(instant) / 1000;
  const observations = detail.observations;
  const latest = observations.at(-1);
  const forecastEnd = detail.forecast.length === 2 ? detail.forecast[1]! : undefined;
  const toDeadline = forecastEnd !== undefined && forecastEnd.at === t.deadline;
  const data = {
    kind: t.kind,
    unit: t.unit,
    timezone: detail.timezone,
    target: t.target_value,
    deadline: sec(t.deadline),
    asOf: sec(detail.as_of),
    observations: observations.map((o) => [sec(o.observed_at), o.value]),
    flagged: observations.flatMap((o) => (o.warning ? [[sec(o.observed_at), o.value, o.warning.message]] : [])),
    rolledUp:
      t.current !== null && t.current_source !== 'direct' && t.current_observed_at
        ? [sec(t.current_observed_at), t.current]
        : null,
    pace: detail.pace.map((p) => [sec(p.at), p.value]),
    forecast: detail.forecast.map((p) => [sec(p.at), p.value]),
    // The 80% band of the value at the deadline, fanning out from the forecast's start: only for a forecast that
    // ends at the deadline (past it, the "band" is the actual value there).
    band:
      toDeadline && t.projected_low !== null && t.projected_high !== null
        ? ([t.projected_low, t.projected_high] as const)
        : null,
    milestones: milestoneMarks(detail).map((m) => [sec(m.deadline), m.value, m.state]),
    events: detail.events.map((e) => [sec(e.at), e.text, e.precision]),
  };
  const value = (x: number) => f.value(x, t.kind);
  const due = f.calendarDay(t.due);
  const words = [
    observations.length === 0
      ? say.noObservations
      : say.observations(observations.length, value(latest!.value), f.day(latest!.observed_at)),
    say.pace({
      baseline: value(t.baseline),
      baselineDay: f.day(t.baseline_at),
      target: value(t.target_value),
      due,
      milestones: t.milestones.length,
    }),
    forecastEnd && t.kind !== 'milestone'
      ? toDeadline
        ? say.forecast(value(forecastEnd.value), t.projected_completion ? f.calendarDay(t.projected_completion) : null)
        : say.forecastAfter(value(forecastEnd.value), f.day(forecastEnd.at), t.projected_completion !== null)
      : '',
    data.band && t.attainment_probability !== null
      ? say.band(value(data.band[0]), value(data.band[1]), f.chance(t.attainment_probability))
      : '',
  ].filter(Boolean);
  // The key names only what is drawn: no forecast entry without a forecast line.
  const key = [
    html`<li class="k-obs"><i></i>${say.observed}</li><li class="k-pace"><i></i>${say.expectedPace}</li>`,
    data.forecast.length === 2 ? html`<li class="k-forecast"><i></i>${say.forecastKey}</li>` : '',
    html`<li class="k-target"><i></i>${say.targetKey(value(t.target_value))}</li>`,
    html`<li class="k-deadline"><i></i>${say.deadlineKey(due)}</li>`,
    data.milestones.length > 0 ? html`<li class="k-milestone"><i></i>${say.milestoneKey}</li>` : '',
    data.events.length > 0 ? html`<li class="k-event"><i></i>${say.eventKey}</li>` : '',
    data.flagged.length > 0 ? html`<li class="k-flagged"><i></i>${say.flagged}</li>` : '',
    data.band ? html`<li class="k-band"><i></i>${say.bandKey}</li>` : '',
  ];
  return html`<figure class="chart">
<div id="target-chart" role="img" aria-label="${words.join(' ')}"></div>
<noscript><p class="note">${say.noScript}</p></noscript>
<ul class="key">${key}</ul>
<figcaption>${words.join(' ')}</figcaption>
</figure>
${jsonScript('chart-data', data)}
${eventList(detail, f)}
${flaggedList(detail, f)}`;
}

/**
 * Each milestone with whether it was met: judged on the latest observation at or before its deadline, and
 * "due" while its deadline is after the date viewed.
 */
function milestoneMarks(detail: TargetDetail): { deadline: string; value: number; state: 'met' | 'missed' | 'due' }[] {
  const t = detail.target;
  const asOf = Date.parse(detail.as_of);
  return t.milestones.map((m) => {
    const deadline = Date.parse(m.deadline);
    if (deadline > asOf) return { deadline: m.deadline, value: m.value, state: 'due' };
    const last = detail.observations.findLast((o) => Date.parse(o.observed_at) <= deadline);
    const met = last !== undefined && (t.direction === 'at_least' ? last.value >= m.value : last.value <= m.value);
    return { deadline: m.deadline, value: m.value, state: met ? 'met' : 'missed' };
  });
}

/** The catalog events that concern the target, listed under the chart that marks them. */
function eventList(detail: TargetDetail, f: Formatter): SafeHtml | '' {
  if (detail.events.length === 0) return '';
  const item = (e: TargetDetail['events'][number]) => {
    const when = html`<time datetime="${e.day}">${e.precision === 'month' ? e.written : f.calendarDay(e.day)}</time>`;
    const source =
      e.source && /^https?:\/\//.test(e.source)
        ? html` (<a href="${e.source}" rel="noopener nofollow">source</a>)`
        : '';
    return html`<li>${when}: ${e.text}${source}</li>`;
  };
  return html`<section class="events"><h2>${f.messages.page.target.chart.eventsTitle}</h2>
<ul id="events">${detail.events.map(item)}</ul></section>`;
}

/** The values flagged when they were pushed (see the push answer's warnings), listed under the chart. */
function flaggedList(detail: TargetDetail, f: Formatter): SafeHtml | '' {
  const flagged = detail.observations.filter((o) => o.warning);
  if (flagged.length === 0) return '';
  const say = f.messages.page.target;
  const value = (x: number) => f.value(x, detail.target.kind);
  const item = (o: TargetDetail['observations'][number]) => {
    const day = localDay(o.observed_at, f);
    return html`<li data-code="${o.warning!.code}">${day} ${value(o.value)}: ${o.warning!.message}</li>`;
  };
  return html`<section class="flagged"><h2>${say.flaggedTitle}</h2>
<p class="note">${say.flaggedNote}</p>
<ul id="flagged-values">${flagged.map(item)}</ul></section>`;
}

/** A calendar day of an instant, in a `<time>` that names the day (not the UTC instant) for machines too. */
function localDay(instant: string, f: Formatter): SafeHtml {
  return html`<time datetime="${formatLocalDate(Date.parse(instant), f.timeZone)}">${f.day(instant)}</time>`;
}

function observationsTable(detail: TargetDetail, f: Formatter): SafeHtml {
  const say = f.messages.page.target;
  const value = (x: number) => f.value(x, detail.target.kind);
  const rows = [...detail.observations].reverse();
  const later = detail.later_observations;
  const omitted = [
    detail.earlier_observations > 0 ? say.earlier(f.number(detail.earlier_observations)) : '',
    later > 0 ? say.later(f.number(later), later) : '',
  ].filter(Boolean);
  const { indicator_name: indicator, region_name: region } = detail.target;
  const row = (o: TargetDetail['observations'][number]) => {
    const batch = o.batch_id !== null ? html` <small>${say.batch(o.batch_id)}</small>` : '';
    const revisions = o.revisions.map(
      (r) =>
        html`<li>${say.revision({ from: value(r.old_value), to: value(r.new_value), day: f.day(r.revised_at) })}</li>`,
    );
    const revised = o.revisions.length === 0 ? '—' : html`<ul class="revisions">${revisions}</ul>`;
    return [
      html`<tr><td>${localDay(o.observed_at, f)}</td>`,
      html`<td class="num"><data value="${o.value}">${value(o.value)}</data></td><td>${noteWithLinks(o.note)}</td>`,
      html`<td>${f.day(o.recorded_at)}${batch}</td><td>${revised}</td></tr>`,
    ];
  };
  const note = say.observationsNote(indicator);
  const head = say.observationsHead;
  return html`<h2>${say.observationsTitle}</h2>
<p class="note">${note.before}<span lang="vi">${region}</span>${note.after} ${omitted.join(' ')}</p>
${
  rows.length === 0
    ? html`<p>${say.none}</p>`
    : html`<div class="table-wrap"><table id="observations">
<thead><tr><th>${head.observed}</th><th class="num">${head.value}</th><th>${head.note}</th><th>${head.recorded}</th>\
<th>${head.revisions}</th></tr></thead>
<tbody>${rows.map((o) => row(o))}</tbody>
</table></div>`
}`;
}

function historyTable(detail: TargetDetail, f: Formatter): SafeHtml {
  const say = f.messages.page.target;
  const row = (c: TargetDetail['status_history'][number]) => {
    const day = f.calendarDay(asOfDay(c.as_of, detail.timezone));
    const asOf = html`<time datetime="${f.dateTime(c.as_of)}">${day}</time>`;
    const from = c.from ? f.status(c.from) : say.firstEvaluation;
    return html`<tr><td>${asOf}</td><td>${from}</td><td>${statusLabelWithBadge(c.to, f)}</td></tr>`;
  };
  const head = say.historyHead;
  return html`<h2>${say.historyTitle}</h2>
${
  detail.status_history.length === 0
    ? [
        html`<p class="note">${say.noHistory}`,
        html`${say.noHistoryHow.before}<code>pacer evaluate --save</code>${say.noHistoryHow.after}</p>`,
      ]
    : html`<div class="table-wrap"><table id="status-history">
<thead><tr><th>${head.asOf}</th><th>${head.from}</th><th>${head.to}</th></tr></thead>
<tbody>${detail.status_history.map((c) => row(c))}</tbody>
</table></div>`
}`;
}

/** A note as text, with its web addresses (the demo data cites its sources) as links. */
function noteWithLinks(note: string | null): SafeHtml {
  if (!note) return html``;
  const shorten = (url: string) => {
    const bare = url.replace(/^https?:\/\//, '');
    return bare.length > 48 ? `${bare.slice(0, 47)}…` : bare;
  };
  const link = (url: string) => html`<a href="${url}" rel="noopener nofollow">${shorten(url)}</a>`;
  // Only http(s) addresses become links: the regex cannot match a javascript: URL.
  const parts = note.split(/(https?:\/\/[^\s<>"]+)/);
  return html`${parts.map((part, i) => (i % 2 === 1 ? link(part) : part))}`;
}

const statusLabelWithBadge = (s: TargetStatus, f: Formatter) => html`<span class="badge s-${s}">${f.status(s)}</span>`;

function regionsSection(detail: TargetDetail, day: string, f: Formatter): SafeHtml {
  const say = f.messages.page.target;
  const value = (x: number) => f.value(x, detail.target.kind);
  const r = detail.regions;
  const level = f.messages.level(r.level, 1);
  const max = Math.max(...r.items.map((i) => Math.abs(i.value)), 0);
  const inForce = f.calendarDay(asOfDay(r.in_force_at, detail.timezone));
  const sentence = say.regionsNote({
    reporting: r.reporting,
    parts: r.parts,
    level: f.messages.level(r.level, r.parts),
    unit: level,
    inForce,
    day,
  });
  const note = html`${sentence.before}<span lang="vi">${r.parent.name}</span>${sentence.after}`;
  const item = (i: TargetDetail['regions']['items'][number]) => {
    const width = max > 0 ? ((Math.abs(i.value) / max) * 100).toFixed(1) : '0';
    const coverage = i.coverage < 1 ? say.reporting(f.percent(i.coverage)) : '';
    const derived = i.source !== 'direct' ? html` <small>${say.sources[i.source]}${coverage}</small>` : '';
    return [
      html`<li data-region="${i.code}"><span lang="vi">${i.name}</span>`,
      html`<span class="bar" style="width:${width}%"></span>`,
      html`<span class="v"><data value="${i.value}">${value(i.value)}</data>${derived}</span></li>`,
    ];
  };
  const label = say.regionsLabel(detail.target.indicator_name, level);
  const missingUnits = f.messages.level(r.level, r.missing.length);
  const missing =
    r.missing.length > 0
      ? [
          html`<details><summary>${say.withoutValue(r.missing.length, missingUnits)}</summary>`,
          html`<p lang="vi">${r.missing.map((m) => m.name).join(', ')}</p></details>`,
        ]
      : '';
  return html`<h2>${say.byLevel(level)}</h2>
<p class="note">${note}</p>
${
  r.items.length === 0
    ? html`<p>${say.noRegional}</p>`
    : html`<ul class="bars" id="regions" aria-label="${label}">${r.items.map((i) => item(i))}</ul>`
}
${missing}`;
}
