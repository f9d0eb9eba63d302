/* global uPlot, document, window */
// Draws the target page's chart from the JSON the server put in #chart-data: observations as
// points, the expected-pace line, the forecast (when the evaluation has one) with its 80% band
// shaded (fanning out from the forecast's start to the band's low and high at the deadline), the
// target level, vertical marks at the deadline, the "as of" instant, the milestones (their value,
// met or missed) and the catalog events. Times are seconds; dates are written in the page's
// language (<html lang>: vi → 30/06/2023, else 30 Jun 2023) in the directive's time zone.
(function () {
  'use strict';
  var el = document.getElementById('target-chart');
  var source = document.getElementById('chart-data');
  if (!el || !source || typeof uPlot === 'undefined') return;
  var d = JSON.parse(source.textContent);

  var colors = {
    observed: '#1d4ed8',
    rolled: '#7c3aed',
    pace: '#4b5563',
    forecast: '#c2410c',
    band: 'rgba(194, 65, 12, 0.18)',
    target: '#15803d',
    deadline: '#b91c1c',
    asOf: '#1d4ed8',
    flagged: '#d97706',
    event: '#a21caf',
    met: '#15803d',
    missed: '#b91c1c',
    due: '#4b5563',
  };
  var hasForecast = d.forecast.length === 2;
  var milestones = d.milestones || [];
  var events = d.events || [];
  var vi = /^vi\b/i.test(document.documentElement.lang || '');
  var locale = vi ? 'vi-VN' : 'en-GB';
  var words = vi
    ? {
        pace: 'Tiến độ kỳ vọng',
        forecast: 'Dự báo',
        target: 'Mục tiêu',
        observed: 'Số liệu',
        rolled: 'Hiện tại (tổng hợp)',
        flagged: 'Giá trị bị gắn cờ',
        deadline: 'Hạn chót',
        asOf: 'Tính đến',
        milestone: 'Mốc',
        met: 'đạt',
        missed: 'không đạt',
        due: 'chưa đến hạn',
        done: 'đã xong',
        notDone: 'chưa xong',
      }
    : {
        pace: 'Expected pace',
        forecast: 'Forecast',
        target: 'Target',
        observed: 'Observed',
        rolled: 'Current (rolled up)',
        flagged: 'Flagged value',
        deadline: 'Deadline',
        asOf: 'As of',
        milestone: 'Milestone',
        met: 'met',
        done: 'done',
        notDone: 'not done',
        missed: 'missed',
        due: 'due',
      };
  var zone = d.timezone || 'UTC';
  function dateFormat(options) {
    var f = new Intl.DateTimeFormat(locale, Object.assign({ timeZone: zone }, options));
    return function (seconds) {
      return f.format(new Date(seconds * 1000));
    };
  }
  // Vietnamese dates are numeric, dd/mm/yyyy; Intl writes a month alone in words ("tháng 11, 2022"), so the
  // shorter forms are cut from the parts of the full date.
  var viParts = new Intl.DateTimeFormat('vi-VN', { timeZone: zone, day: '2-digit', month: '2-digit', year: 'numeric' });
  function viDate(fields) {
    return function (seconds) {
      var parts = {};
      viParts.formatToParts(new Date(seconds * 1000)).forEach(function (p) {
        parts[p.type] = p.value;
      });
      return fields
        .map(function (f) {
          return parts[f];
        })
        .join('/');
    };
  }
  var dayText = vi ? viDate(['day', 'month', 'year']) : dateFormat({ day: 'numeric', month: 'short', year: 'numeric' });
  var dayMonthText = vi ? viDate(['day', 'month']) : dateFormat({ day: 'numeric', month: 'short' });
  var monthText = vi ? viDate(['month', 'year']) : dateFormat({ month: 'short', year: 'numeric' });
  var yearText = dateFormat({ year: 'numeric' });
  // Axis ticks as fine as their spacing: years, months, or days (with the year where it changes).
  function axisDates(self, splits, axisIdx, space, incr) {
    var lastYear = null;
    return splits.map(function (t) {
      if (incr >= 365 * 86400 - 1) return yearText(t);
      if (incr >= 28 * 86400) return monthText(t);
      var year = yearText(t);
      var text = year !== lastYear ? dayText(t) : dayMonthText(t);
      lastYear = year;
      return text;
    });
  }
  // Numbers: Vietnamese grouping in Vietnamese; in English "30M" (en-GB writes "30m", read as metres).
  var numberLocale = vi ? 'vi-VN' : 'en-US';
  var compact = new Intl.NumberFormat(numberLocale, { notation: 'compact', maximumFractionDigits: 2 });
  var full = new Intl.NumberFormat(numberLocale, { maximumFractionDigits: 2 });
  function readValue(v) {
    if (d.kind === 'ratio') return (v * 100).toFixed(1) + '%';
    if (d.kind === 'milestone') return v >= 1 ? words.done : words.notDone;
    return full.format(v);
  }
  function axisValue(v) {
    if (d.kind === 'ratio') return (v * 100).toFixed(0) + '%';
    if (d.kind === 'milestone') return v >= 1 ? words.done : v <= 0 ? words.notDone : '';
    return compact.format(v);
  }

  // uPlot wants one x array shared by every series, with nulls where a series has no point.
  var xs = new Set();
  function add(points) {
    points.forEach(function (p) {
      xs.add(p[0]);
    });
  }
  add(d.observations);
  add(d.pace);
  add(d.forecast);
  add(milestones);
  if (d.rolledUp) xs.add(d.rolledUp[0]);
  var x = Array.from(xs).sort(function (a, b) {
    return a - b;
  });
  var span = x[x.length - 1] - x[0] || 86400;
  var xMin = x[0] - span * 0.03;
  var xMax = x[x.length - 1] + span * 0.03;
  function column(points) {
    var at = new Map(
      points.map(function (p) {
        return [p[0], p[1]];
      }),
    );
    return x.map(function (t) {
      return at.has(t) ? at.get(t) : null;
    });
  }
  var targetColumn = x.map(function (t, i) {
    return i === 0 || i === x.length - 1 ? d.target : null;
  });

  // `row` moves the label down by lines, so that marks close together stay readable.
  function verticalMark(u, at, color, label, dash, row) {
    if (at < u.scales.x.min || at > u.scales.x.max) return;
    var ctx = u.ctx;
    var px = Math.round(u.valToPos(at, 'x', true));
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * uPlot.pxRatio;
    ctx.setLineDash(dash || []);
    ctx.beginPath();
    ctx.moveTo(px, u.bbox.top);
    ctx.lineTo(px, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.fillStyle = color;
    ctx.font = 12 * uPlot.pxRatio + 'px system-ui, sans-serif';
    var width = ctx.measureText(label).width;
    var right = px + 4 * uPlot.pxRatio + width <= u.bbox.left + u.bbox.width;
    ctx.textAlign = right ? 'left' : 'right';
    var y = u.bbox.top + (14 + 15 * (row || 0)) * uPlot.pxRatio;
    ctx.fillText(label, right ? px + 4 * uPlot.pxRatio : px - 4 * uPlot.pxRatio, y);
    ctx.restore();
  }

  // A milestone: a dashed vertical mark and a diamond at its expected value, coloured met, missed or due.
  function milestoneMark(u, m, row) {
    var at = m[0];
    if (at < u.scales.x.min || at > u.scales.x.max) return;
    var color = colors[m[2]];
    var label = words.milestone + ' ' + axisValue(m[1]) + ' · ' + words[m[2]];
    verticalMark(u, at, color, label, [2, 3], row);
    var ctx = u.ctx;
    var px = u.valToPos(at, 'x', true);
    var py = u.valToPos(m[1], 'y', true);
    var r = 6 * uPlot.pxRatio;
    ctx.save();
    ctx.fillStyle = '#fff';
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * uPlot.pxRatio;
    ctx.beginPath();
    ctx.moveTo(px, py - r);
    ctx.lineTo(px + r, py);
    ctx.lineTo(px, py + r);
    ctx.lineTo(px - r, py);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  // The band is a triangle: no spread at the forecast's start (the latest value), the 80% band at the
  // deadline. Drawn under the series so the lines stay readable.
  function band(u) {
    if (!d.band || d.forecast.length !== 2) return;
    var start = d.forecast[0];
    var end = d.forecast[1];
    var ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    ctx.fillStyle = colors.band;
    ctx.beginPath();
    ctx.moveTo(u.valToPos(start[0], 'x', true), u.valToPos(start[1], 'y', true));
    ctx.lineTo(u.valToPos(end[0], 'x', true), u.valToPos(d.band[1], 'y', true));
    ctx.lineTo(u.valToPos(end[0], 'x', true), u.valToPos(d.band[0], 'y', true));
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }

  // Observations come last so their dots are drawn over the lines.
  // The forecast is a series only when there is one: the legend and the readout never name a line not drawn.
  var series = [{}, { label: words.pace, stroke: colors.pace, width: 2, spanGaps: true, points: { show: false } }];
  var data = [x, column(d.pace)];
  if (hasForecast) {
    series.push({
      label: words.forecast,
      stroke: colors.forecast,
      width: 2,
      dash: [8, 6],
      spanGaps: true,
      points: { show: false },
    });
    data.push(column(d.forecast));
  }
  series.push(
    { label: words.target, stroke: colors.target, width: 2, spanGaps: true, points: { show: false } },
    {
      label: words.observed,
      stroke: colors.observed,
      paths: function () {
        return null;
      },
      points: { show: true, size: 9, fill: colors.observed, stroke: colors.observed },
    },
  );
  data.push(targetColumn, column(d.observations));
  if (d.rolledUp) {
    series.push({
      label: words.rolled,
      stroke: colors.rolled,
      paths: function () {
        return null;
      },
      points: { show: true, size: 9, fill: '#fff', stroke: colors.rolled },
    });
    data.push(column([d.rolledUp]));
  }
  // Values flagged by the data-quality checks: a bigger amber ring over the observed dot, and the
  // message as the chart's title while the cursor is on one.
  var flagged = d.flagged || [];
  var flaggedMessages = new Map(
    flagged.map(function (p) {
      return [p[0], p[2]];
    }),
  );
  if (flagged.length > 0) {
    series.push({
      label: words.flagged,
      stroke: colors.flagged,
      paths: function () {
        return null;
      },
      points: { show: true, size: 15, width: 3, fill: 'rgba(217, 119, 6, 0.15)', stroke: colors.flagged },
    });
    data.push(column(flagged));
  }

  function width() {
    return Math.max(280, el.clientWidth);
  }
  // The values under the cursor, in words: the date in the page's format, then each series that has one.
  var readout = document.createElement('p');
  readout.id = 'chart-readout';
  readout.className = 'readout';
  readout.setAttribute('aria-live', 'polite');
  el.insertAdjacentElement('afterend', readout);
  function showReadout(self) {
    var i = self.cursor.idx;
    if (i === null || i === undefined) {
      readout.textContent = '';
      return;
    }
    var parts = [dayText(x[i])];
    for (var s = 1; s < series.length; s++) {
      var v = data[s][i];
      if (v !== null && v !== undefined) parts.push(series[s].label + ': ' + readValue(v));
    }
    readout.textContent = parts.join(' · ');
  }
  var u = new uPlot(
    {
      width: width(),
      height: 340,
      legend: { show: false },
      tzDate: function (ts) {
        return uPlot.tzDate(new Date(ts * 1000), d.timezone);
      },
      scales: {
        x: {
          time: true,
          range: function () {
            return [xMin, xMax];
          },
        },
        y: {
          range: function (self, min, max) {
            var lo = Math.min(min, d.target, d.band ? d.band[0] : Infinity);
            var hi = Math.max(max, d.target, d.band ? d.band[1] : -Infinity);
            var pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
            return [lo - pad, hi + pad];
          },
        },
      },
      axes: [
        { values: axisDates, space: 80 },
        {
          size: 70,
          values: function (self, splits) {
            return splits.map(axisValue);
          },
        },
      ],
      series: series,
      hooks: {
        setCursor: [
          function (self) {
            var i = self.cursor.idx;
            var message = i === null || i === undefined ? undefined : flaggedMessages.get(x[i]);
            if (message) el.setAttribute('title', words.flagged + ': ' + message);
            else el.removeAttribute('title');
            showReadout(self);
          },
        ],
        drawClear: [band],
        draw: [
          function (self) {
            verticalMark(self, d.deadline, colors.deadline, words.deadline);
            if (Math.abs(d.asOf - d.deadline) > span * 0.02)
              verticalMark(self, d.asOf, colors.asOf, words.asOf, [3, 4]);
            milestones.forEach(function (m, i) {
              milestoneMark(self, m, 1 + (i % 2));
            });
            // Events: a dotted line and their text, on rows below the marks above.
            events.forEach(function (e, i) {
              var when = e[2] === 'month' ? monthText(e[0]) : dayText(e[0]);
              verticalMark(self, e[0], colors.event, when + ': ' + shorten(e[1], 48), [4, 3], 3 + (i % 3));
            });
          },
        ],
      },
    },
    data,
    el,
  );
  window.addEventListener('resize', function () {
    u.setSize({ width: width(), height: 340 });
  });
  // Tests (and curious readers in the console) can reach the chart.
  window.pacerChart = u;
  el.setAttribute('data-rendered', 'true');
})();
