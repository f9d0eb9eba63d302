import { statusesWorstFirst } from '../../domain/evaluation/status-order.js';
import { reportPaths } from '../../reports/report-routes.js';
import type { DirectivePageQuery, TargetList, TargetSummary } from '../scorecard-schema.js';
import { formatChance, formatPercent, formatValue, statusLabels } from '../scorecard-format.js';
import { html, webAddress, type SafeHtml } from './html.js';
import { knownAtToggle } from './known-at-toggle.js';
import { asOfDay, asOfForm, dayOf, layout, queryString, statusBadge, type AssetUrl } from './layout.js';

const clampPercent = (x: number) => Math.max(0, Math.min(100, x * 100));

const tableHead = [
  html`<thead><tr><th>Status</th><th>Target</th><th>Owner</th><th>Due</th>`,
  html`<th class="num">Current</th><th class="num">Target</th><th>Progress vs expected pace</th>`,
  html`<th class="num">Projected at deadline</th><th>Projected completion</th></tr></thead>`,
];

/**
 * Rows on one page: a national catalog has ten thousand targets, more than anyone reads in one
 * screen or a browser lays out quickly; the worst come first, and the downloads hold every one.
 */
export const ROWS_PER_PAGE = 250;

/** The directive page (`/`): every target worst first, filtered by status and owner, as of a date. */
export function renderDirectivePage(list: TargetList, query: DirectivePageQuery, assetUrl: AssetUrl): string {
  const day = asOfDay(list.as_of, list.timezone);
  const at = query.at;
  const knownAt = query.known_at;
  /** The dates of the page, which its links keep. */
  const dates = { at, known_at: knownAt };
  const single = list.directives.length === 1 ? list.directives[0] : undefined;
  const statusFilter = new Set(query.status ?? []);
  const ownerFilter = query.owner?.[0] ?? '';
  const filtered = statusFilter.size > 0 || (query.owner?.length ?? 0) > 0 || (query.directive?.length ?? 0) > 0;

  const statusBoxes = statusesWorstFirst.map((s) => {
    const checked = statusFilter.has(s) ? html` checked` : '';
    return html`<label><input type="checkbox" name="status" value="${s}"${checked}> ${statusLabels[s]}</label>`;
  });
  const ownerOptions = list.owners.map((o) => html`<option${o === ownerFilter ? html` selected` : ''}>${o}</option>`);
  const clearFilters = filtered ? html`<a href="/${queryString(dates)}">Clear filters</a>` : '';
  const filters = html`<fieldset><legend>Status</legend>${statusBoxes}</fieldset>
<label>Owner <select name="owner"><option value="">All owners</option>${ownerOptions}</select></label>
${clearFilters}`;

  const issuer = single ? html`${single.issuer} · issued ${single.issued} · ` : '';
  const asOf = html`<time datetime="${list.as_of}">${at ? `the end of ${day}` : `now (${day})`}</time>`;
  const textUrl = webAddress(single?.url);
  const textLink = textUrl ? html` · <a href="${textUrl}" rel="noopener">directive text</a>` : '';
  const pages = Math.max(1, Math.ceil(list.targets.length / ROWS_PER_PAGE));
  const page = Math.min(query.page ?? 1, pages);
  const rows = list.targets.slice((page - 1) * ROWS_PER_PAGE, page * ROWS_PER_PAGE);
  const matching =
    list.targets.length === list.total
      ? `All ${list.total} targets`
      : `${list.targets.length} of ${list.total} targets`;
  const first = (page - 1) * ROWS_PER_PAGE + 1;
  const shown = pages > 1 ? `${matching}; ${first}–${first + rows.length - 1} shown` : matching;
  // Viewed as of a past date, the mark is where the pace stood then, not today.
  const paceWhen = at ? `was at the end of ${day}` : 'is today';
  const barNote =
    'The bar shows progress from baseline to target; ' + `the black mark is where the expected pace ${paceWhen}.`;
  const body = html`<h1>${single ? single.title : 'Directive targets'}</h1>
<p class="sub">${issuer}${list.total} targets · as of ${asOf}, ${list.timezone}${textLink}</p>
${asOfForm('/', day, filters)}
${knownAtToggle('/', { ...query, page: undefined }, list)}
<ul class="counts" aria-label="Targets by status">${statusesWorstFirst.map(
    (s) => html`<li><a href="/${queryString({ ...dates, status: s })}">${statusBadge(s)} ${list.counts[s]}</a></li>`,
  )}</ul>
<p class="note">${shown}, worst first. ${barNote}</p>
${downloads(at, knownAt)}
<p class="note"><a href="/backtest">How reliable were the forecasts?</a> Past warnings against what happened.</p>
<div class="table-wrap"><table id="targets">
${tableHead}
<tbody>
${rows.map((t) => row(t, at, list.timezone, knownAt))}
</tbody>
</table></div>
${pager(query, page, pages)}
${list.targets.length === 0 ? html`<p>No target matches these filters.</p>` : ''}`;

  return layout({ title: single ? single.title : 'Scorecard', assetUrl, body, where: html`as of ${day}` });
}

/** Links to the other pages of rows, keeping the date and filters: first, previous, a few around, next, last. */
function pager(query: DirectivePageQuery, page: number, pages: number): SafeHtml | '' {
  if (pages === 1) return '';
  const { at, status, owner, directive } = query;
  const href = (n: number) =>
    `/${queryString({ at, status, owner, directive, page: n === 1 ? undefined : String(n) })}`;
  const near = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter(
    (n) => n >= 1 && n <= pages,
  );
  const links = near.map((n, i) => {
    const gap = i > 0 && n - near[i - 1]! > 1 ? html`<span>…</span> ` : '';
    return n === page
      ? html`${gap}<strong aria-current="page">${n}</strong> `
      : html`${gap}<a href="${href(n)}">${n}</a> `;
  });
  const previous = page > 1 ? html`<a href="${href(page - 1)}" rel="prev">Previous</a> ` : '';
  const next = page < pages ? html`<a href="${href(page + 1)}" rel="next">Next</a>` : '';
  return html`<nav class="pager" aria-label="Pages of targets">${previous}${links}${next}</nav>`;
}

/** The report of the date shown (every target, whatever the filters), to send on. */
function downloads(at: string | undefined, knownAt?: string): SafeHtml {
  const q = queryString({ at, known_at: knownAt });
  const xlsx = html`<a href="${reportPaths.xlsx}${q}" download>XLSX</a>`;
  const csv = html`<a href="${reportPaths.csv}${q}" download>CSV</a>`;
  return html`<p class="downloads">Download: ${xlsx} · ${csv}</p>`;
}

function row(t: TargetSummary, at: string | undefined, timezone: string, knownAt?: string): SafeHtml {
  const milestone = t.kind === 'milestone';
  const currentDay = t.current_observed_at ? dayOf(t.current_observed_at, timezone) : null;
  const link = html`/targets/${encodeURIComponent(t.target)}${queryString({ at, known_at: knownAt })}`;
  const current = t.current === null ? '—' : html`<data value="${t.current}">${formatValue(t.current, t.kind)}</data>`;
  const partial = t.partial ? html`<br><small class="partial">partial</small>` : '';
  const currentNote = currentDay && !milestone ? html`<br><small>${currentDay}</small>${partial}` : partial;
  const projected =
    t.projected === null || milestone
      ? '—'
      : html`<data class="projected" value="${t.projected}">${formatValue(t.projected, t.kind)}</data>`;
  const chance =
    t.attainment_probability === null || milestone
      ? ''
      : html`<br><small class="chance">chance to meet: ${formatChance(t.attainment_probability)}</small>`;
  return html`<tr data-target="${t.target}" data-status="${t.status}">
<td>${statusBadge(t.status)}${t.achieved_late ? html`<br><small>met after the deadline</small>` : ''}
<p class="why" data-reason="${t.reason}">${t.explanation}</p></td>
<td><a href="${link}">${t.title}</a><span class="id">${t.target}</span></td>
<td>${t.owner}</td>
<td>${t.due}</td>
<td class="num">${current}${currentNote}</td>
<td class="num">${t.direction === 'at_most' ? '≤ ' : ''}${formatValue(t.target_value, t.kind)}</td>
<td>${progressBar(t)}</td>
<td class="num">${projected}${chance}</td>
<td class="day">${milestone ? '—' : (t.projected_completion ?? '—')}</td>
</tr>`;
}

export function progressBar(t: Pick<TargetSummary, 'progress' | 'expected_progress' | 'status'>): SafeHtml {
  const progress = t.progress;
  const shown = progress === null ? 'no value' : formatPercent(progress);
  const text = `${shown} · expected ${formatPercent(t.expected_progress)}`;
  const fill = clampPercent(progress ?? 0).toFixed(1);
  const pace = clampPercent(t.expected_progress).toFixed(1);
  return html`${[
    html`<div class="progress" role="img" aria-label="Progress ${text}">`,
    html`<span class="fill s-${t.status}" style="width:${fill}%"></span>`,
    html`<span class="pace" style="left:${pace}%"></span></div>`,
    html`<span class="progress-text">${text}</span>`,
  ]}`;
}
