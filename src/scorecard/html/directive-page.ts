import { statusesWorstFirst } from '../../domain/evaluation/status-order.js';
import type { Formatter } from '../../domain/language/formatter.js';
import { reportPaths } from '../../reports/report-routes.js';
import type { DirectivePageQuery, TargetList, TargetSummary } from '../scorecard-schema.js';
import { html, webAddress, type SafeHtml } from './html.js';
import { knownAtToggle } from './known-at-toggle.js';
import { asOfDay, asOfForm, layout, queryString, statusBadge, type AssetUrl, type PageLanguage } from './layout.js';

const clampPercent = (x: number) => Math.max(0, Math.min(100, x * 100));

function tableHead(f: Formatter): SafeHtml {
  const h = f.messages.page.head;
  return html`${[
    html`<thead><tr><th>${h.status}</th><th>${h.target}</th><th>${h.owner}</th><th>${h.due}</th>`,
    html`<th class="num">${h.current}</th><th class="num">${h.targetValue}</th><th>${h.progress}</th>`,
    html`<th class="num">${h.projected}</th><th>${h.completion}</th></tr></thead>`,
  ]}`;
}

/**
 * Rows on one page: a national catalog has ten thousand targets, more than anyone reads in one
 * screen or a browser lays out quickly; the worst come first, and the downloads hold every one.
 */
export const ROWS_PER_PAGE = 250;

/** The directive page (`/`): every target worst first, filtered by status and owner, as of a date. */
export function renderDirectivePage(
  list: TargetList,
  query: DirectivePageQuery,
  assetUrl: AssetUrl,
  language: PageLanguage,
): string {
  const f = language.format;
  const say = f.messages.page;
  const lang = language.lang;
  const isoDay = asOfDay(list.as_of, list.timezone);
  const day = f.calendarDay(isoDay);
  const at = query.at;
  const knownAt = query.known_at;
  /** The dates and language of the page, which its links keep. */
  const kept = { at, known_at: knownAt, lang };
  const single = list.directives.length === 1 ? list.directives[0] : undefined;
  const statusFilter = new Set(query.status ?? []);
  const asked = query.owner?.[0] ?? '';
  // An owner named in the other language (the switch keeps the filter) is the one every target shown has.
  const shownOwners = [...new Set(list.targets.map((t) => t.owner))];
  const ownerFilter = asked && !list.owners.includes(asked) && shownOwners.length === 1 ? shownOwners[0]! : asked;
  const filtered = statusFilter.size > 0 || (query.owner?.length ?? 0) > 0 || (query.directive?.length ?? 0) > 0;

  const statusBoxes = statusesWorstFirst.map((s) => {
    const checked = statusFilter.has(s) ? html` checked` : '';
    return html`<label><input type="checkbox" name="status" value="${s}"${checked}> ${f.status(s)}</label>`;
  });
  const ownerOptions = list.owners.map((o) => html`<option${o === ownerFilter ? html` selected` : ''}>${o}</option>`);
  const clearFilters = filtered ? html`<a href="/${queryString(kept)}">${say.clearFilters}</a>` : '';
  const filters = html`<fieldset><legend>${say.statusLegend}</legend>${statusBoxes}</fieldset>
<label>${say.owner} <select name="owner"><option value="">${say.allOwners}</option>${ownerOptions}</select></label>
${clearFilters}`;

  const issuer = single ? html`${single.issuer} · ${say.issued(f.calendarDay(single.issued))} · ` : '';
  const asOfText = at ? say.asOfEndOf(day) : say.asOfNow(day);
  const asOf = html`<time datetime="${f.dateTime(list.as_of)}">${asOfText}</time>`;
  const textUrl = webAddress(single?.url);
  const textLink = textUrl ? html` · <a href="${textUrl}" rel="noopener">${say.directiveText}</a>` : '';
  const title = single ? single.title : say.directiveTargets;
  const pages = Math.max(1, Math.ceil(list.targets.length / ROWS_PER_PAGE));
  const page = Math.min(query.page ?? 1, pages);
  const rows = list.targets.slice((page - 1) * ROWS_PER_PAGE, page * ROWS_PER_PAGE);
  const first = (page - 1) * ROWS_PER_PAGE + 1;
  const matching = say.shown(list.targets.length, list.total);
  const shown = pages > 1 ? `${matching}; ${say.shownRange(first, first + rows.length - 1)}` : matching;
  const body = html`<h1>${title}</h1>
<p class="sub">${issuer}${say.targetsCount(list.total)} · ${say.asOfLead} ${asOf}, ${list.timezone}${textLink}</p>
${asOfForm('/', isoDay, language, filters)}
${knownAtToggle('/', { ...query, page: undefined }, list)}
<ul class="counts" aria-label="${say.countsLabel}">${statusesWorstFirst.map(
    (s) => html`<li><a href="/${queryString({ ...kept, status: s })}">${statusBadge(s, f)} ${list.counts[s]}</a></li>`,
  )}</ul>
<p class="note">${shown}, ${say.worstFirst}. ${say.barNote(at ? day : null)}</p>
${downloads(at, knownAt, f)}
<p class="note"><a href="/backtest">How reliable were the forecasts?</a> Past warnings against what happened.</p>
<div class="table-wrap"><table id="targets">
${tableHead(f)}
<tbody>
${rows.map((t) => row(t, at, knownAt, language))}
</tbody>
</table></div>
${pager(query, page, pages, f)}
${list.targets.length === 0 ? html`<p>${say.noMatch}</p>` : ''}`;

  return layout({
    title: single ? single.title : say.scorecard,
    assetUrl,
    body,
    where: say.asOfDay(day),
    language,
    address: {
      path: '/',
      query: { at, known_at: knownAt, status: query.status, owner: query.owner, directive: query.directive },
    },
  });
}

/**
 * Links to the other pages of rows, keeping the dates, filters and language: first, previous, a few around, next,
 * last.
 */
function pager(query: DirectivePageQuery, page: number, pages: number, f: Formatter): SafeHtml | '' {
  if (pages === 1) return '';
  const say = f.messages.page;
  const { at, known_at, status, owner, directive, lang } = query;
  const href = (n: number) =>
    `/${queryString({ at, known_at, status, owner, directive, lang, page: n === 1 ? undefined : String(n) })}`;
  const near = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter(
    (n) => n >= 1 && n <= pages,
  );
  const links = near.map((n, i) => {
    const gap = i > 0 && n - near[i - 1]! > 1 ? html`<span>…</span> ` : '';
    return n === page
      ? html`${gap}<strong aria-current="page">${n}</strong> `
      : html`${gap}<a href="${href(n)}">${n}</a> `;
  });
  const previous = page > 1 ? html`<a href="${href(page - 1)}" rel="prev">${say.previous}</a> ` : '';
  const next = page < pages ? html`<a href="${href(page + 1)}" rel="next">${say.next}</a>` : '';
  return html`<nav class="pager" aria-label="${say.pagesLabel}">${previous}${links}${next}</nav>`;
}

/** The report of the date shown (every target, whatever the filters), to send on, in the page's language. */
function downloads(at: string | undefined, knownAt: string | undefined, f: Formatter): SafeHtml {
  const q = queryString({ at, known_at: knownAt, lang: f.language === 'en' ? undefined : f.language });
  const xlsx = html`<a href="${reportPaths.xlsx}${q}" download>XLSX</a>`;
  const csv = html`<a href="${reportPaths.csv}${q}" download>CSV</a>`;
  return html`<p class="downloads">${f.messages.page.download}: ${xlsx} · ${csv}</p>`;
}

function row(t: TargetSummary, at: string | undefined, knownAt: string | undefined, language: PageLanguage): SafeHtml {
  const f = language.format;
  const say = f.messages.page;
  const milestone = t.kind === 'milestone';
  const currentDay = t.current_observed_at ? f.day(t.current_observed_at) : null;
  const query = queryString({ at, known_at: knownAt, lang: language.lang });
  const link = html`/targets/${encodeURIComponent(t.target)}${query}`;
  const current = t.current === null ? '—' : html`<data value="${t.current}">${f.value(t.current, t.kind)}</data>`;
  const partial = t.partial ? html`<br><small class="partial">${say.partial}</small>` : '';
  const currentNote = currentDay && !milestone ? html`<br><small>${currentDay}</small>${partial}` : partial;
  const projected =
    t.projected === null || milestone
      ? '—'
      : html`<data class="projected" value="${t.projected}">${f.value(t.projected, t.kind)}</data>`;
  const chance =
    t.attainment_probability === null || milestone
      ? ''
      : html`<br><small class="chance">${say.chanceToMeet(f.chance(t.attainment_probability))}</small>`;
  const completion = t.projected_completion
    ? html`<time datetime="${t.projected_completion}">${f.calendarDay(t.projected_completion)}</time>`
    : '—';
  return html`<tr data-target="${t.target}" data-status="${t.status}">
<td>${statusBadge(t.status, f)}${t.achieved_late ? html`<br><small>${say.metLate}</small>` : ''}
<p class="why" data-reason="${t.reason}">${t.explanation}</p></td>
<td><a href="${link}">${t.title}</a><span class="id">${t.target}</span></td>
<td>${t.owner}</td>
<td><time datetime="${t.due}">${f.calendarDay(t.due)}</time></td>
<td class="num">${current}${currentNote}</td>
<td class="num">${t.direction === 'at_most' ? '≤ ' : ''}${f.value(t.target_value, t.kind)}</td>
<td>${progressBar(t, f)}</td>
<td class="num">${projected}${chance}</td>
<td class="day">${milestone ? '—' : completion}</td>
</tr>`;
}

export function progressBar(
  t: Pick<TargetSummary, 'progress' | 'expected_progress' | 'status'>,
  f: Formatter,
): SafeHtml {
  const say = f.messages.page;
  const progress = t.progress;
  const shown = progress === null ? say.noValue : f.percent(progress);
  const text = say.progressText(shown, f.percent(t.expected_progress));
  const fill = clampPercent(progress ?? 0).toFixed(1);
  const pace = clampPercent(t.expected_progress).toFixed(1);
  return html`${[
    html`<div class="progress" role="img" aria-label="${say.progressLabel(text)}">`,
    html`<span class="fill s-${t.status}" style="width:${fill}%"></span>`,
    html`<span class="pace" style="left:${pace}%"></span></div>`,
    html`<span class="progress-text">${text}</span>`,
  ]}`;
}
