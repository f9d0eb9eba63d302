import type { TargetStatus } from '../../domain/evaluation/target-evaluation.js';
import { calendarDay } from '../../evaluation/as-of.js';
import type { AssetName } from '../scorecard-assets.js';
import { statusLabels } from '../scorecard-format.js';
import { html, type SafeHtml } from './html.js';

export type AssetUrl = (name: AssetName) => string;

/** The page shell: UTF-8, a language, one stylesheet, no third-party requests. */
export function layout(page: {
  title: string;
  assetUrl: AssetUrl;
  body: SafeHtml;
  head?: SafeHtml;
  where?: SafeHtml | string;
}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Pacer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${page.assetUrl('scorecard.css')}">
${page.head}
</head>
<body>
<header class="top"><a href="/">Pacer scorecard</a><span class="where">${page.where}</span></header>
<main>
${page.body}
</main>
</body>
</html>
`.value;
}

export function statusBadge(status: TargetStatus): SafeHtml {
  return html`<span class="badge s-${status}" data-status="${status}">${statusLabels[status]}</span>`;
}

/**
 * The calendar date an "as of" instant stands for: a bare date means the end of that day, which
 * is the first instant of the next, so one millisecond earlier is the day the user picked.
 */
export function asOfDay(asOf: string, timezone: string): string {
  return calendarDay(Date.parse(asOf) - 1, timezone)!;
}

/** The calendar date of an instant (an observation, a revision) in the zone. */
export function dayOf(instant: string, timezone: string): string {
  return calendarDay(Date.parse(instant), timezone)!;
}

/** A query string of the non-empty parameters, with a leading `?` (or nothing). */
export function queryString(params: Record<string, string | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of typeof value === 'string' ? [value] : (value ?? [])) if (v) search.append(key, v);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The "as of" form: a plain GET form, so it works without JavaScript. */
export function asOfForm(action: string, day: string, extra?: SafeHtml): SafeHtml {
  return html`<form class="filters card" method="get" action="${action}">
<label>As of <input type="date" name="at" value="${day}" required></label>
${extra}
<button type="submit">Show</button>
</form>`;
}

/**
 * The page of a failed request, with the API's code and message. A failure worth retrying (a
 * database that cannot be read right now) says so, and when.
 */
export function errorPage(
  status: number,
  code: string,
  message: string,
  assetUrl: AssetUrl,
  retryAfterSeconds?: number,
): string {
  const heading =
    status === 404 ? 'Not found' : status === 503 ? 'The data cannot be read right now' : 'Cannot show this page';
  const retry =
    retryAfterSeconds === undefined
      ? undefined
      : html`<p>Please retry in ${String(retryAfterSeconds)} seconds: reload this page.</p>`;
  return layout({
    title: `Error ${status}`,
    assetUrl,
    body: html`<div class="card error" role="alert">
      <h1>${heading}</h1>
      <p>${message}</p>
      ${retry}
      <p class="note">Code: <code>${code}</code></p>
      <p><a href="/">Back to the scorecard</a></p>
    </div>`,
  });
}
