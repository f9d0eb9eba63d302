import type { TargetDetail } from '../scorecard-schema.js';
import { formatChance, formatNumber, formatPercent, formatValue, statusLabels } from '../scorecard-format.js';
import { progressBar } from './directive-page.js';
import { html, jsonScript, type SafeHtml } from './html.js';
import { knownAtToggle } from './known-at-toggle.js';
import { asOfDay, asOfForm, dayOf, layout, queryString, statusBadge, type AssetUrl } from './layout.js';

const sources: Record<string, string> = {
  direct: 'observed',
  children: 'rolled up from its parts',
  predecessors: 'rolled up from the units merged into it',
};

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
  knownAt?: string,
): string {
  const t = detail.target;
  const tz = detail.timezone;
  const day = asOfDay(detail.as_of, tz);
  const on = (instant: string) => dayOf(instant, tz);
  const value = (x: number) => formatValue(x, t.kind);
  const milestone = t.kind === 'milestone';

  const current = t.current === null ? '—' : html`<data id="current" value="${t.current}">${value(t.current)}</data>`;
  const coverage =
    t.coverage !== null && t.coverage < 1
      ? `, ${formatPercent(t.coverage)} of parts reporting${t.partial ? ' (a partial value)' : ''}`
      : '';
  const currentNote = t.current_observed_at
    ? html`${sources[t.current_source ?? 'direct']} ${on(t.current_observed_at)}${coverage}`
    : 'no value yet';
  const progress = t.progress === null ? '—' : formatPercent(t.progress);
  const projected =
    t.projected === null || milestone
      ? '—'
      : html`<data id="projected" value="${t.projected}">${value(t.projected)}</data>`;
  const targetLevel = `${t.direction === 'at_most' ? '≤ ' : ''}${value(t.target_value)}`;
  // Past the deadline the figure is the actual one, fixed whatever the viewing date.
  const passed = Date.parse(detail.as_of) > Date.parse(t.deadline);
  const completion = milestone ? '—' : (t.projected_completion ?? '—');
  const completionNote = milestone
    ? 'a dated task'
    : t.projected_completion
      ? 'where the forecast reaches the target'
      : 'not at this pace';
  const chance =
    t.attainment_probability === null
      ? null
      : html`<data id="chance" value="${t.attainment_probability}">${formatChance(t.attainment_probability)}</data>`;
  const bandNote =
    t.projected_low !== null && t.projected_high !== null && t.projected_low !== t.projected_high
      ? `80% band ${value(t.projected_low)} to ${value(t.projected_high)}`
      : passed || t.status === 'achieved' || t.status === 'missed'
        ? 'decided'
        : '';
  const chanceFigure =
    chance === null
      ? ''
      : html`<div><dt>Chance to meet</dt><dd>${chance}<small>${bandNote}</small></dd></div>
`;
  const figures = html`<dl class="figures">
<div><dt>Current</dt><dd>${current}<small>${currentNote}</small></dd></div>
<div><dt>Expected by ${at ? day : 'now'}</dt><dd>${value(t.expected)}<small>on the pace line</small></dd></div>
<div><dt>Progress</dt><dd>${progress}<small>expected ${formatPercent(t.expected_progress)}</small></dd></div>
<div><dt>${passed ? 'Value at the deadline' : 'Projected at the deadline'}</dt>\
<dd>${projected}<small>target ${targetLevel}</small></dd></div>
${chanceFigure}<div><dt>Projected completion</dt><dd>${completion}<small>${completionNote}</small></dd></div>
<div><dt>Deadline</dt><dd>${t.due}<small>end of day, ${tz}</small></dd></div>
</dl>`;

  const late = t.achieved_late ? ' met after the deadline ·' : '';
  const sub = [
    html`${statusBadge(t.status)}${late} ${detail.directive.title}, ${t.source} · ${t.owner} · `,
    html`${t.indicator_name} (${t.unit}) in <span lang="vi">${t.region_name}</span> · <code>${t.target}</code>`,
  ];
  const body = html`<p><a href="/${queryString({ at, known_at: knownAt })}">← All targets</a></p>
<h1>${t.title}</h1>
<p class="sub">${sub}</p>
<p class="why" id="explanation" data-reason="${t.reason}">${t.explanation}</p>
${asOfForm(`/targets/${encodeURIComponent(t.target)}`, day)}
${knownAtToggle(`/targets/${encodeURIComponent(t.target)}`, { at, known_at: knownAt }, detail)}
${figures}
${progressBar(t)}
${chart(detail)}
${observationsTable(detail, on, value)}
${historyTable(detail)}
${regionsSection(detail, day, value)}
${t.note ? html`<h2>Note</h2><p>${t.note}</p>` : ''}`;

  return layout({
    title: t.title,
    assetUrl,
    head: html`<link rel="stylesheet" href="${assetUrl('uplot.min.css')}">
<script src="${assetUrl('uplot.min.js')}" defer></script>
<script src="${assetUrl('target-chart.js')}" defer></script>`,
    body,
    where: html`as of ${day}`,
  });
}

function chart(detail: TargetDetail): SafeHtml {
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
  const value = (x: number) => formatValue(x, t.kind);
  const milestones =
    t.milestones.length > 0 ? `, through ${t.milestones.length} milestone${t.milestones.length === 1 ? '' : 's'}` : '';
  const reaching = t.projected_completion
    ? `, reaching the target on ${t.projected_completion}`
    : ', never reaching the target at this pace';
  const words = [
    observations.length === 0
      ? 'No observation of this target’s own series up to this date.'
      : `${observations.length} observation${observations.length === 1 ? '' : 's'} up to this date, ` +
        `the latest ${value(latest!.value)} on ${dayOf(latest!.observed_at, detail.timezone)}.`,
    `Expected pace: from ${value(t.baseline)} on ${dayOf(t.baseline_at, detail.timezone)} ` +
      `to ${value(t.target_value)} by ${t.due}${milestones}.`,
    forecastEnd && t.kind !== 'milestone'
      ? toDeadline
        ? `Forecast: ${value(forecastEnd.value)} at the deadline${reaching}.`
        : `Forecast after the deadline: ${value(forecastEnd.value)} by ${dayOf(forecastEnd.at, detail.timezone)}` +
          `${t.projected_completion ? ', where it reaches the target' : ' at the latest pace'}.`
      : '',
    data.band && t.attainment_probability !== null
      ? `80% band at the deadline: ${value(data.band[0])} to ${value(data.band[1])}; ` +
        `chance to meet the target ${formatChance(t.attainment_probability)}.`
      : '',
  ].filter(Boolean);
  // The key names only what is drawn: no forecast entry without a forecast line.
  const key = [
    html`<li class="k-obs"><i></i>Observed</li><li class="k-pace"><i></i>Expected pace</li>`,
    data.forecast.length === 2 ? html`<li class="k-forecast"><i></i>Forecast</li>` : '',
    html`<li class="k-target"><i></i>Target ${value(t.target_value)}</li>`,
    html`<li class="k-deadline"><i></i>Deadline ${t.due}</li>`,
    data.milestones.length > 0 ? html`<li class="k-milestone"><i></i>Milestone (met, missed, due)</li>` : '',
    data.events.length > 0 ? html`<li class="k-event"><i></i>Event</li>` : '',
    data.flagged.length > 0 ? html`<li class="k-flagged"><i></i>Flagged value</li>` : '',
    data.band ? html`<li class="k-band"><i></i>80% band</li>` : '',
  ];
  return html`<figure class="chart">
<div id="target-chart" role="img" aria-label="${words.join(' ')}"></div>
<noscript><p class="note">The chart needs JavaScript; the observations table below has every value.</p></noscript>
<ul class="key">${key}</ul>
<figcaption>${words.join(' ')}</figcaption>
</figure>
${jsonScript('chart-data', data)}
${eventList(detail)}
${flaggedList(detail)}`;
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
function eventList(detail: TargetDetail): SafeHtml | '' {
  if (detail.events.length === 0) return '';
  const item = (e: TargetDetail['events'][number]) => {
    const when = html`<time datetime="${e.day}">${e.precision === 'month' ? e.written : e.day}</time>`;
    const source =
      e.source && /^https?:\/\//.test(e.source)
        ? html` (<a href="${e.source}" rel="noopener nofollow">source</a>)`
        : '';
    return html`<li>${when}: ${e.text}${source}</li>`;
  };
  return html`<section class="events"><h2>Events</h2>
<ul id="events">${detail.events.map(item)}</ul></section>`;
}

/** The values flagged when they were pushed (see the push answer's warnings), listed under the chart. */
function flaggedList(detail: TargetDetail): SafeHtml | '' {
  const flagged = detail.observations.filter((o) => o.warning);
  if (flagged.length === 0) return '';
  const value = (x: number) => formatValue(x, detail.target.kind);
  const item = (o: TargetDetail['observations'][number]) => {
    const day = html`<time datetime="${o.observed_at}">${dayOf(o.observed_at, detail.timezone)}</time>`;
    return html`<li data-code="${o.warning!.code}">${day} ${value(o.value)}: ${o.warning!.message}</li>`;
  };
  return html`<section class="flagged"><h2>Flagged values</h2>
<p class="note">Stored as pushed, but flagged by the data-quality checks: worth a look at the source.</p>
<ul id="flagged-values">${flagged.map(item)}</ul></section>`;
}

function observationsTable(
  detail: TargetDetail,
  on: (instant: string) => string,
  value: (x: number) => string,
): SafeHtml {
  const rows = [...detail.observations].reverse();
  const later = detail.later_observations;
  const omitted = [
    detail.earlier_observations > 0
      ? `${formatNumber(detail.earlier_observations)} earlier observations are not listed.`
      : '',
    later > 0 ? `${formatNumber(later)} observation${later === 1 ? ' is' : 's are'} dated after this date.` : '',
  ].filter(Boolean);
  const { indicator_name: indicator, region_name: region } = detail.target;
  const row = (o: TargetDetail['observations'][number]) => {
    const batch = o.batch_id !== null ? html` <small>batch ${o.batch_id}</small>` : '';
    const revisions = o.revisions.map(
      (r) => html`<li>${value(r.old_value)} → ${value(r.new_value)} on ${on(r.revised_at)}</li>`,
    );
    const revised = o.revisions.length === 0 ? '—' : html`<ul class="revisions">${revisions}</ul>`;
    return [
      html`<tr><td><time datetime="${o.observed_at}">${on(o.observed_at)}</time></td>`,
      html`<td class="num"><data value="${o.value}">${value(o.value)}</data></td><td>${noteWithLinks(o.note)}</td>`,
      html`<td>${on(o.recorded_at)}${batch}</td><td>${revised}</td></tr>`,
    ];
  };
  return html`<h2>Observations</h2>
<p class="note">${indicator} in <span lang="vi">${region}</span>, newest first. ${omitted.join(' ')}</p>
${
  rows.length === 0
    ? html`<p>None up to this date.</p>`
    : html`<div class="table-wrap"><table id="observations">
<thead><tr><th>Observed</th><th class="num">Value</th><th>Note</th><th>Recorded</th><th>Revisions</th></tr></thead>
<tbody>${rows.map((o) => row(o))}</tbody>
</table></div>`
}`;
}

function historyTable(detail: TargetDetail): SafeHtml {
  const row = (c: TargetDetail['status_history'][number]) => {
    const asOf = html`<time datetime="${c.as_of}">${asOfDay(c.as_of, detail.timezone)}</time>`;
    const from = c.from ? statusLabels[c.from] : 'first evaluation';
    return html`<tr><td>${asOf}</td><td>${from}</td><td>${statusLabelWithBadge(c.to)}</td></tr>`;
  };
  return html`<h2>Status history</h2>
${
  detail.status_history.length === 0
    ? [
        html`<p class="note">No stored evaluation up to this date. `,
        html`Evaluations are stored by the worker role and by <code>pacer evaluate --save</code>.</p>`,
      ]
    : html`<div class="table-wrap"><table id="status-history">
<thead><tr><th>As of</th><th>From</th><th>To</th></tr></thead>
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

const statusLabelWithBadge = (s: keyof typeof statusLabels) =>
  html`<span class="badge s-${s}">${statusLabels[s]}</span>`;

function regionsSection(detail: TargetDetail, day: string, value: (x: number) => string): SafeHtml {
  const r = detail.regions;
  const level = r.level ?? 'part';
  const plural = r.parts === 1 ? level : `${level}s`;
  const max = Math.max(...r.items.map((i) => Math.abs(i.value)), 0);
  const inForce = asOfDay(r.in_force_at, detail.timezone);
  const note = [
    html`${r.reporting} of ${r.parts} ${plural} of <span lang="vi">${r.parent.name}</span> in force on ${inForce}`,
    html` have a value as of ${day}. Values of units merged since count toward the ${level} they merged into.`,
  ];
  const item = (i: TargetDetail['regions']['items'][number]) => {
    const width = max > 0 ? ((Math.abs(i.value) / max) * 100).toFixed(1) : '0';
    const coverage = i.coverage < 1 ? `, ${formatPercent(i.coverage)} reporting` : '';
    const derived = i.source !== 'direct' ? html` <small>${sources[i.source]}${coverage}</small>` : '';
    return [
      html`<li data-region="${i.code}"><span lang="vi">${i.name}</span>`,
      html`<span class="bar" style="width:${width}%"></span>`,
      html`<span class="v"><data value="${i.value}">${value(i.value)}</data>${derived}</span></li>`,
    ];
  };
  const label = `${detail.target.indicator_name} by ${level}, largest first`;
  const missingUnits = r.missing.length === 1 ? level : `${level}s`;
  const missing =
    r.missing.length > 0
      ? [
          html`<details><summary>${r.missing.length} ${missingUnits} without a value</summary>`,
          html`<p lang="vi">${r.missing.map((m) => m.name).join(', ')}</p></details>`,
        ]
      : '';
  return html`<h2>By ${level}</h2>
<p class="note">${note}</p>
${
  r.items.length === 0
    ? html`<p>No regional values for this indicator.</p>`
    : html`<ul class="bars" id="regions" aria-label="${label}">${r.items.map((i) => item(i))}</ul>`
}
${missing}`;
}
