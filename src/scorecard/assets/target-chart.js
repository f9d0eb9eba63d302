/* global uPlot, document, window */
// Draws the target page's chart from the JSON the server put in #chart-data: observations as
// points, the expected-pace line, the forecast to the deadline with its 80% band shaded (fanning
// out from the forecast's start to the band's low and high at the deadline), the target level,
// and vertical marks at the deadline and the "as of" instant. Times are seconds; dates in the
// directive zone.
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
  };
  var compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });
  function axisValue(v) {
    if (d.kind === 'ratio') return (v * 100).toFixed(0) + '%';
    if (d.kind === 'milestone') return v >= 1 ? 'done' : v <= 0 ? 'not done' : '';
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

  function verticalMark(u, at, color, label, dash) {
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
    ctx.fillText(label, right ? px + 4 * uPlot.pxRatio : px - 4 * uPlot.pxRatio, u.bbox.top + 14 * uPlot.pxRatio);
    ctx.restore();
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
  var series = [
    {},
    { label: 'Expected pace', stroke: colors.pace, width: 2, spanGaps: true, points: { show: false } },
    { label: 'Forecast', stroke: colors.forecast, width: 2, dash: [8, 6], spanGaps: true, points: { show: false } },
    { label: 'Target', stroke: colors.target, width: 2, spanGaps: true, points: { show: false } },
    {
      label: 'Observed',
      stroke: colors.observed,
      paths: function () {
        return null;
      },
      points: { show: true, size: 9, fill: colors.observed, stroke: colors.observed },
    },
  ];
  var data = [x, column(d.pace), column(d.forecast), targetColumn, column(d.observations)];
  if (d.rolledUp) {
    series.push({
      label: 'Current (rolled up)',
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
      label: 'Flagged value',
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
        {},
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
            if (message) el.setAttribute('title', 'Flagged value: ' + message);
            else el.removeAttribute('title');
          },
        ],
        drawClear: [band],
        draw: [
          function (self) {
            verticalMark(self, d.deadline, colors.deadline, 'Deadline');
            if (Math.abs(d.asOf - d.deadline) > span * 0.02) verticalMark(self, d.asOf, colors.asOf, 'As of', [3, 4]);
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
