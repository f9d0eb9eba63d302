import { html, type SafeHtml } from './html.js';
import { dayOf, queryString } from './layout.js';

/**
 * The two time axes on a page of a past date (`?at=`): "with later corrections" (every value Pacer
 * has recorded since, the default) or "as known then" (`known_at` = `at`: only what it had recorded
 * by the end of that date, each value as it stood then). Nothing on a page of now, or of a date yet
 * to come. `query` is the page's query: the links keep everything else in it.
 */
export function knownAtToggle(
  path: string,
  query: Record<string, string | readonly string[] | undefined>,
  page: { as_of: string; known_at: string | null; timezone: string },
): SafeHtml | '' {
  const at = typeof query.at === 'string' ? query.at : undefined;
  if (!at || Date.parse(page.as_of) > Date.now()) return '';
  const then = query.known_at === at;
  const link = (label: string, knownAt: string | undefined, current: boolean) =>
    current
      ? html`<strong aria-current="page">${label}</strong>`
      : html`<a href="${path}${queryString({ ...query, known_at: knownAt })}">${label}</a>`;
  // A known_at other than the date shown (typed into the address): say which, and offer both.
  const other =
    page.known_at && !then ? html` · <strong>as known on ${dayOf(page.known_at, page.timezone)}</strong>` : '';
  return html`<p class="note known-at" id="known-at">Values: ${link(
    'with later corrections',
    undefined,
    !page.known_at,
  )} · ${link('as known then', at, then)}${other}</p>`;
}
