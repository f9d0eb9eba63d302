import { languages, type Language } from '../../conventions.js';
import type { TargetStatus } from '../../domain/evaluation/target-evaluation.js';
import type { Formatter } from '../../domain/language/formatter.js';
import { messages } from '../../domain/language/messages.js';
import { calendarDay } from '../../evaluation/as-of.js';
import type { AssetName } from '../scorecard-assets.js';
import { html, type SafeHtml } from './html.js';

export type AssetUrl = (name: AssetName) => string;

/**
 * The reader's language on a page: the formatter of that language in the directive's time zone, and
 * the `?lang=` the request named, if any, which the page's links and forms carry on (a language from
 * `Accept-Language` needs no carrying: the next request sends it again).
 */
export interface PageLanguage {
  format: Formatter;
  lang?: Language;
}

/** Where the page is, for the links to the same page in the other languages. */
export interface PageAddress {
  path: string;
  query: Record<string, string | readonly string[] | undefined>;
}

/**
 * The page shell: UTF-8, the reader's language (`<html lang>`, which the chart script reads too), one
 * stylesheet, no third-party requests, and a link to the same page in each other language.
 */
export function layout(page: {
  title: string;
  assetUrl: AssetUrl;
  body: SafeHtml;
  head?: SafeHtml;
  where?: SafeHtml | string;
  language: PageLanguage;
  address?: PageAddress;
}): string {
  const f = page.language.format;
  const say = f.messages.page;
  return html`<!doctype html>
<html lang="${f.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${say.pageTitle(page.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${page.assetUrl('scorecard.css')}">
${page.head}
</head>
<body>
<header class="top"><a href="/${queryString({ lang: page.language.lang })}">${say.brand}</a>\
<span class="where">${page.where}</span>${languageSwitch(f.language, page.address ?? { path: '/', query: {} })}</header>
<main>
${page.body}
</main>
</body>
</html>
`.value;
}

/** Links to this page in the other languages, each named in its own language. */
function languageSwitch(current: Language, address: PageAddress): SafeHtml {
  const others = languages.filter((l) => l !== current);
  const link = (l: Language) =>
    html`<a href="${address.path}${queryString({ ...address.query, lang: l })}" hreflang="${l}" lang="${l}" \
data-lang="${l}">${messages[l].page.languageName}</a>`;
  return html`<nav class="languages" aria-label="${messages[current].page.languageSwitch}">${others.map(link)}</nav>`;
}

export function statusBadge(status: TargetStatus, f: Formatter): SafeHtml {
  return html`<span class="badge s-${status}" data-status="${status}">${f.status(status)}</span>`;
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

/** The "as of" form: a plain GET form, so it works without JavaScript; it keeps a `?lang=` the page had. */
export function asOfForm(action: string, day: string, language: PageLanguage, extra?: SafeHtml): SafeHtml {
  const say = language.format.messages.page;
  const lang = language.lang
    ? html`<input type="hidden" name="lang" value="${language.lang}">
`
    : '';
  return html`<form class="filters card" method="get" action="${action}">
${lang}<label>${say.asOf} <input type="date" name="at" value="${day}" required></label>
${extra}
<button type="submit">${say.show}</button>
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
  language: PageLanguage,
  retryAfterSeconds?: number,
): string {
  const say = language.format.messages.page.error;
  const heading = status === 404 ? say.notFound : status === 503 ? say.unavailable : say.failed;
  const retry = retryAfterSeconds === undefined ? undefined : html`<p>${say.retry(retryAfterSeconds)}</p>`;
  return layout({
    title: say.title(status),
    assetUrl,
    language,
    body: html`<div class="card error" role="alert">
      <h1>${heading}</h1>
      <p>${message}</p>
      ${retry}
      <p class="note">${say.code}: <code>${code}</code></p>
      <p><a href="/${queryString({ lang: language.lang })}">${say.back}</a></p>
    </div>`,
  });
}
