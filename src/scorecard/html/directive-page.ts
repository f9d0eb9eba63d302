import { statusesWorstFirst } from '../../domain/evaluation/status-order.js';
import type { Formatter } from '../../domain/language/formatter.js';
import { reportPaths } from '../../reports/report-routes.js';
import type { TargetList, TargetListQuery, TargetSummary } from '../scorecard-schema.js';
import { html, webAddress, type SafeHtml } from './html.js';
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

/** The directive page (`/`): every target worst first, filtered by status and owner, as of a date. */
export function renderDirectivePage(
  list: TargetList,
  query: TargetListQuery,
  assetUrl: AssetUrl,
  language: PageLanguage,
): string {
  const f = language.format;
  const say = f.messages.page;
  const lang = language.lang;
  const isoDay = asOfDay(list.as_of, list.timezone);
  const day = f.calendarDay(isoDay);
  const at = query.at;
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
  const clearFilters = filtered ? html`<a href="/${queryString({ at, lang })}">${say.clearFilters}</a>` : '';
  const filters = html`<fieldset><legend>${say.statusLegend}</legend>${statusBoxes}</fieldset>
<label>${say.owner} <select name="owner"><option value="">${say.allOwners}</option>${ownerOptions}</select></label>
${clearFilters}`;

  const issuer = single ? html`${single.issuer} · ${say.issued(f.calendarDay(single.issued))} · ` : '';
  const asOfText = at ? say.asOfEndOf(day) : say.asOfNow(day);
  const asOf = html`<time datetime="${f.dateTime(list.as_of)}">${asOfText}</time>`;
  const textUrl = webAddress(single?.url);
  const textLink = textUrl ? html` · <a href="${textUrl}" rel="noopener">${say.directiveText}</a>` : '';
  const title = single ? single.title : say.directiveTargets;
  const body = html`<h1>${title}</h1>
<p class="sub">${issuer}${say.targetsCount(list.total)} · ${say.asOfLead} ${asOf}, ${list.timezone}${textLink}</p>
${asOfForm('/', isoDay, language, filters)}
<ul class="counts" aria-label="${say.countsLabel}">${statusesWorstFirst.map(
    (s) => html`<li><a href="/${queryString({ at, status: s, lang })}">${statusBadge(s, f)} ${list.counts[s]}</a></li>`,
  )}</ul>
<p class="note">${say.shown(list.targets.length, list.total)}, ${say.worstFirst}. ${say.barNote}</p>
${downloads(at, f)}
<div class="table-wrap"><table id="targets">
${tableHead(f)}
<tbody>
${list.targets.map((t) => row(t, at, language))}
</tbody>
</table></div>
${list.targets.length === 0 ? html`<p>${say.noMatch}</p>` : ''}`;

  return layout({
    title: single ? single.title : say.scorecard,
    assetUrl,
    body,
    where: say.asOfDay(day),
    language,
    address: { path: '/', query: { at, status: query.status, owner: query.owner, directive: query.directive } },
  });
}

/** The report of the date shown (every target, whatever the filters), to send on, in the page's language. */
function downloads(at: string | undefined, f: Formatter): SafeHtml {
  const q = queryString({ at, lang: f.language === 'en' ? undefined : f.language });
  const xlsx = html`<a href="${reportPaths.xlsx}${q}" download>XLSX</a>`;
  const csv = html`<a href="${reportPaths.csv}${q}" download>CSV</a>`;
  return html`<p class="downloads">${f.messages.page.download}: ${xlsx} · ${csv}</p>`;
}

function row(t: TargetSummary, at: string | undefined, language: PageLanguage): SafeHtml {
  const f = language.format;
  const say = f.messages.page;
  const milestone = t.kind === 'milestone';
  const currentDay = t.current_observed_at ? f.day(t.current_observed_at) : null;
  const link = html`/targets/${encodeURIComponent(t.target)}${queryString({ at, lang: language.lang })}`;
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
    : html`<span class="note">${say.notAtThisPace}</span>`;
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
