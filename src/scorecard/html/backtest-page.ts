import { formatNumber, formatPercent } from '../../domain/format/value-format.js';
import { Formatter } from '../../domain/language/formatter.js';
import type { BacktestDocument, BacktestQuery } from '../../evaluation/backtest-schema.js';
import { html, type SafeHtml } from './html.js';
import { layout, type AssetUrl } from './layout.js';

const pct = (x: number | null) => (x === null ? '—' : formatPercent(x));
const score = (x: number | null) => (x === null ? '—' : x.toFixed(3));

/** A horizon band as people read it (the CLI's words). */
function horizonLabel(h: { from_days: number; to_days: number | null }): string {
  if (h.to_days === null) return `${h.from_days} days or more`;
  return h.from_days === 0 ? `under ${h.to_days} days` : `${h.from_days}–${h.to_days - 1} days`;
}

const SIZE = 280;
/** Room for the axis labels left and below; a little on the other sides for the dots at the edges. */
const PAD = 52;
const EDGE = 14;
const plot = SIZE - PAD - EDGE;
const x = (p: number) => (PAD + p * plot).toFixed(1);
const y = (p: number) => (EDGE + (1 - p) * plot).toFixed(1);
const tickLabel = (p: number) => `${Math.round(p * 100)}%`;

/**
 * The reliability chart: per bin of the chance to meet, the mean chance predicted (across) against the
 * share of targets achieved (up), each dot sized by its steps; on the dashed diagonal the chances were right.
 */
export function reliabilityChart(bins: BacktestDocument['overall']['reliability']): SafeHtml {
  const used = bins.filter((b) => b.steps > 0 && b.mean_predicted !== null && b.observed_rate !== null);
  const most = Math.max(1, ...used.map((b) => b.steps));
  const ticks = [0, 0.5, 1];
  const path = used.map((b, i) => `${i === 0 ? 'M' : 'L'}${x(b.mean_predicted!)} ${y(b.observed_rate!)}`).join(' ');
  const label =
    used.length === 0
      ? 'Reliability chart: no step gave a chance to meet.'
      : 'Reliability chart: ' +
        used
          .map(
            (b) => `${b.steps} steps predicted ${pct(b.mean_predicted)} on average, ${pct(b.observed_rate)} achieved`,
          )
          .join('; ') +
        '.';
  return html`<svg class="reliability" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}" role="img"
 aria-label="${label}">
<rect x="${PAD}" y="${EDGE}" width="${plot}" height="${plot}" fill="#fff" stroke="#d1d5db"/>
<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#4b5563" stroke-dasharray="4 4"/>
${ticks.map(
  (t) => html`<text x="${x(t)}" y="${EDGE + plot + 14}" font-size="10" text-anchor="middle">${tickLabel(t)}</text>
<text x="${PAD - 5}" y="${Number(y(t)) + 3}" font-size="10" text-anchor="end">${tickLabel(t)}</text>`,
)}
<text x="${PAD + plot / 2}" y="${SIZE - 8}" font-size="11" text-anchor="middle">chance predicted</text>
<text x="14" y="${EDGE + plot / 2}" font-size="11" text-anchor="middle"
 transform="rotate(-90 14 ${EDGE + plot / 2})">share achieved</text>
${path ? html`<path d="${path}" fill="none" stroke="#1d4ed8"/>` : ''}
${used.map((b) => {
  const r = (3 + 6 * Math.sqrt(b.steps / most)).toFixed(1);
  return html`<circle class="bin" cx="${x(b.mean_predicted!)}" cy="${y(b.observed_rate!)}" r="${r}" fill="#1d4ed8"
 fill-opacity="0.6" data-steps="${b.steps}"><title>${b.steps} steps</title></circle>`;
})}
</svg>`;
}

function form(d: BacktestDocument): SafeHtml {
  return html`<form class="filters card" method="get" action="/backtest">
<label>From <input type="date" name="from" value="${d.from}"></label>
<label>To <input type="date" name="to" value="${d.to}"></label>
<label>Every <input name="every" value="${d.every}" size="4" pattern="[0-9]{1,3}(mo|w|d)"></label>
<button type="submit">Replay</button>
</form>`;
}

/** `/backtest`: "How reliable were the forecasts?", the backtest's figures with its reliability chart. */
export function renderBacktestPage(d: BacktestDocument, _query: BacktestQuery, assetUrl: AssetUrl): string {
  const o = d.overall;
  const lead = o.lead_days
    ? html`, on average ${formatNumber(o.lead_days.mean)} days before the deadline (median
${formatNumber(o.lead_days.median)}, ${o.lead_days.min} to ${o.lead_days.max})`
    : '';
  const targetRows = d.targets.map(
    (t) => html`<tr data-target="${t.target}">
<td><a href="/targets/${encodeURIComponent(t.target)}">${t.title}</a><span class="id">${t.target}</span></td>
<td>${t.outcome === 'achieved' ? 'Achieved' : 'Missed'}</td><td>${t.due}</td>
<td class="num">${t.steps}</td><td class="num">${t.no_data_steps}</td>
<td class="num" data-accuracy="${t.accuracy ?? ''}">${t.correct_steps} of ${t.judged_steps} (${pct(t.accuracy)})</td>
<td>${t.warned_from ?? '—'}</td><td class="num">${t.lead_days ?? '—'}</td>
<td class="num">${pct(t.mape)}</td><td class="num">${score(t.brier)}</td></tr>`,
  );
  const body = html`<h1>How reliable were the forecasts?</h1>
<p class="sub">${o.targets} targets whose outcome is known (${o.achieved} achieved, ${o.missed} missed;
${d.undecided_targets} not decided yet) · ${d.steps.length} steps every ${d.every} from ${d.from} to ${d.to},
each evaluated as it was known then · ${d.timezone}</p>
${form(d)}
<ul aria-label="Summary">
<li id="accuracy">Status pointed at the outcome: <strong>${pct(o.accuracy)}</strong> of ${o.judged_steps} steps
(${o.no_data_steps} without data)</li>
<li id="warned">Missed targets warned until the deadline: <strong>${o.warned} of ${o.missed}</strong>${lead}</li>
<li id="mape">Error of the projection at the deadline: <strong>${pct(o.mape)}</strong>
(MAPE, ${o.error_steps} steps)</li>
<li id="brier">Chance to meet, Brier score: <strong>${score(o.brier)}</strong> (${o.probability_steps} steps; 0 is
perfect)</li>
</ul>
<h2>Were the chances right?</h2>
<div class="card">${reliabilityChart(o.reliability)}
<p class="note">Each dot is the steps whose chance to meet fell in one band of 10%: across, the chance predicted on
average; up, the share of them whose target was achieved. On the dashed line the chances were right.</p></div>
<h2>Error by how far ahead</h2>
<div class="table-wrap"><table id="horizons"><thead><tr><th>Days before the deadline</th><th class="num">Steps</th>
<th class="num">MAPE</th></tr></thead><tbody>
${o.horizons.map(
  (h) => html`<tr><td>${horizonLabel(h)}</td><td class="num">${h.steps}</td><td class="num">${pct(h.mape)}</td></tr>`,
)}
</tbody></table></div>
<h2>Per target</h2>
<div class="table-wrap"><table id="backtest-targets"><thead><tr><th>Target</th><th>Outcome</th><th>Due</th>
<th class="num">Steps</th><th class="num">No data</th><th class="num">Right</th><th>Warned from</th>
<th class="num">Lead days</th><th class="num">MAPE</th><th class="num">Brier</th></tr></thead>
<tbody>${targetRows}</tbody></table></div>
<p class="note">A step counts for a target when it is before the deadline and not before the directive's issue
date. On track and achieved point at achieved; at risk and off track at missed. The lead time runs from the step
from which every later step was at risk or off track. The same figures: <a href="/v1/backtest">/v1/backtest</a>
and <code>pacer backtest</code>.</p>`;
  // Written in English only, so far: its dates are calendar days already, in no time zone.
  const language = { format: new Formatter('en', 'UTC'), lang: undefined };
  return layout({ title: 'How reliable were the forecasts?', assetUrl, body, where: html`backtest`, language });
}
