import { alertDefinitions } from '../generate/alert-rules.js';
import { generateOptionsSchema } from '../generate/generate-options.js';
import { defineRoute, type Route } from './route.js';

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * `GET /runbooks`: what each generated alert means and what to do, one section per alert, with
 * the anchors the alerts' runbook_url point at (`/runbooks#kpitargetofftrack`).
 */
export function runbookRoutes(): Route[] {
  const sections = alertDefinitions(generateOptionsSchema.parse({}))
    .map((a) => {
      const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escape(i)}</li>`).join('')}</ul>`;
      return (
        `<section id="${a.alert.toLowerCase()}"><h2>${a.alert} <small>(${a.severity})</small></h2>` +
        `<p>${escape(a.runbook.meaning)}</p><h3>Check</h3>${list(a.runbook.check)}` +
        `<h3>Fix</h3>${list(a.runbook.fix)}<p><code>${escape(a.expr)}</code></p></section>`
      );
    })
    .join('\n');
  const page =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pacer runbooks</title>` +
    `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}` +
    `code{font-size:.85em;word-break:break-all}small{color:#666}</style></head>` +
    `<body><h1>Pacer runbooks</h1>\n${sections}\n</body></html>`;
  const runbooks = defineRoute({
    method: 'get',
    path: '/runbooks',
    summary: 'What each generated alert means and what to do',
    tags: ['meta'],
    access: 'open',
    document: false,
    responses: { 200: { description: 'An HTML page, a section per alert.' } },
    handler: async ({ reply }) => reply.type('text/html; charset=utf-8').send(page),
  });
  return [runbooks];
}
