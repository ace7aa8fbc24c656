// The fleet page, live: takes over the table central-ingest rendered and keeps it current from
// the server-sent events of /api/v1/fleet/events (one a second). No build step, no framework;
// the charts are uPlot's (served beside this file), and the page still reads without them.
(function () {
  'use strict';
  const COLUMNS = [['robot', 'robot'], ['state', 'state'], ['lastPush', 'last push'], ['pending', 'backlog'],
    ['trend', 'trend'], ['dropped', 'dropped'], ['complete', 'complete'], ['delay', 'delay'],
    ['skew', 'clock skew']];
  const STATE_ORDER = {offline: 0, draining: 1, online: 2};
  const SKEW_WARN_SECONDS = 2;
  const WINDOW_SECONDS = 120;
  // A robot heard from only lately gets a chart of its time so far, at least this wide.
  const MIN_WINDOW_SECONDS = 30;
  const body = document.body;
  const table = document.getElementById('fleet');
  const tbody = table.querySelector('tbody');
  const summary = document.getElementById('summary');
  const live = document.getElementById('live');
  const filter = document.getElementById('filter');
  const detail = document.getElementById('detail');
  const rows = new Map();
  let last = null;
  let sort = {key: 'robot', dir: 1};
  let detailView = null;

  function count(n) {
    return n === null || n === undefined ? '?' : n.toLocaleString('en-US');
  }

  function duration(s) {
    if (s === null || s === undefined) return '?';
    if (s < 10) return s.toFixed(1) + ' s';
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return Math.round(s / 3600) + ' h';
  }

  // Excerpts of the robot that will not arrive any more: dropped on it, refused, lost with its buffer.
  function gone(c) {
    return c.missingExcerpts.dropped + c.missingExcerpts.refused + c.missingExcerpts.lost;
  }

  function skew(s) {
    if (s === null || s === undefined) return '?';
    if (Math.abs(s) < 0.05) return '0.0 s'; // not "-0.0 s"
    return (s > 0 ? '+' : '') + s.toFixed(1) + ' s';
  }

  const SORT_VALUE = {
    robot: (r) => r.robot,
    state: (r) => STATE_ORDER[r.state],
    lastPush: (r) => r.lastPushAgeSeconds,
    pending: (r) => r.pendingSamples === null ? -1 : r.pendingSamples,
    dropped: (r) => r.droppedSamples === null ? -1 : r.droppedSamples,
    complete: (r) => r.completeness ? gone(r.completeness) : -1,
    delay: (r) => r.oldestPendingAgeSeconds === null ? -1 : r.oldestPendingAgeSeconds,
    skew: (r) => r.clockSkewSeconds === null ? -1 : Math.abs(r.clockSkewSeconds),
  };

  function compare(a, b) {
    const va = SORT_VALUE[sort.key](a);
    const vb = SORT_VALUE[sort.key](b);
    const c = typeof va === 'string' ? va.localeCompare(vb) : va - vb;
    return c !== 0 ? c * sort.dir : a.robot.localeCompare(b.robot);
  }

  function rowFor(name) {
    let row = rows.get(name);
    if (row) return row;
    const tr = document.createElement('tr');
    tr.dataset.robot = name;
    const cells = {};
    for (const [key, label] of COLUMNS) {
      const td = document.createElement('td');
      td.className = key;
      td.dataset.label = label;
      tr.appendChild(td);
      cells[key] = td;
    }
    const link = document.createElement('a');
    link.href = '#robot=' + encodeURIComponent(name);
    link.textContent = name;
    cells.robot.appendChild(link);
    row = {tr, cells, chart: null};
    rows.set(name, row);
    return row;
  }

  // The backlog as uPlot's [xs, ys]. Where the robot was not heard from for much longer than it
  // usually pushes (3 of its median intervals, at least 3 s) a null breaks the line: a gap shows
  // the silence instead of a slope across it.
  function series(r) {
    const pts = r.backlog;
    const gaps = [];
    for (let i = 1; i < pts.length; i++) gaps.push(pts[i][0] - pts[i - 1][0]);
    const sorted = [...gaps].sort((a, b) => a - b);
    const usual = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 1;
    const silence = Math.max(3, 3 * usual);
    const xs = [];
    const ys = [];
    for (let i = 0; i < pts.length; i++) {
      if (i > 0 && gaps[i - 1] > silence) {
        xs.push(pts[i - 1][0] + 1);
        ys.push(null);
      }
      xs.push(pts[i][0]);
      ys.push(pts[i][1]);
    }
    if (r.state === 'offline' && pts.length && last.timeMs / 1000 - pts[pts.length - 1][0] > 1) {
      xs.push(pts[pts.length - 1][0] + 1); // silent since: the line stops there
      ys.push(null);
    }
    return [xs, ys];
  }

  function xRange(firstPoint) {
    const now = last.timeMs / 1000;
    const first = firstPoint === null || firstPoint === undefined ? now : firstPoint;
    return [Math.max(now - WINDOW_SECONDS, Math.min(first - 1, now - MIN_WINDOW_SECONDS)), now];
  }

  function chart(target, width, height, withAxes, data) {
    return new uPlot({
      width, height,
      legend: {show: false},
      cursor: {show: withAxes},
      select: {show: false},
      scales: {
        x: {time: withAxes, range: (u, min) => xRange(min)},
        y: {range: (u, min, max) => [0, Math.max(1, max === null ? 1 : max)]},
      },
      axes: withAxes ? [{}, {label: 'pending samples', size: 70}] : [{show: false}, {show: false}],
      series: [{}, {label: 'backlog', stroke: '#2f6fbd', fill: 'rgba(47,111,189,.15)', width: 1.5,
        points: {show: false}}],
    }, data, target);
  }

  function updateRow(row, r) {
    const c = row.cells;
    c.state.textContent = r.state;
    c.state.className = 'state ' + r.state;
    c.lastPush.textContent = duration(r.lastPushAgeSeconds) + ' ago';
    c.pending.textContent = count(r.pendingSamples);
    c.dropped.textContent = count(r.droppedSamples);
    c.dropped.classList.toggle('warn', r.droppedSamples > 0);
    const k = r.completeness;
    c.complete.textContent = !k ? '?' : gone(k) > 0 ? count(gone(k)) + ' missing' : 'complete';
    c.complete.classList.toggle('warn', !!k && gone(k) > 0);
    c.complete.title = !k ? 'not accounted: no sequence numbers in its pushes'
        : k.completeUpTo ? 'complete up to ' + k.completeUpTo : 'nothing complete yet';
    c.delay.textContent = duration(r.oldestPendingAgeSeconds);
    c.skew.textContent = skew(r.clockSkewSeconds);
    c.skew.classList.toggle('warn', r.clockSkewSeconds !== null && Math.abs(r.clockSkewSeconds) > SKEW_WARN_SECONDS);
    const data = series(r);
    const max = data[1].length ? Math.max(...data[1]) : 0;
    c.trend.dataset.max = max;
    c.trend.title = 'backlog over the last ' + WINDOW_SECONDS / 60 + ' min, at most ' + count(max);
    if (window.uPlot) {
      if (row.chart) {
        row.chart.setData(data);
      } else {
        row.chart = chart(c.trend, 120, 32, false, data);
      }
    }
    const words = filter.value.trim().toLowerCase();
    row.tr.hidden = words !== '' && !(r.robot.toLowerCase().includes(words) || r.state.includes(words));
  }

  function render() {
    if (!last) return;
    summary.textContent = last.robotsOnline + ' of ' + last.robotsTotal + ' robots online (pushed within '
      + last.offlineAfterSeconds + ' s) at ' + new Date(last.timeMs).toISOString();
    const seen = new Set();
    for (const r of [...last.robots].sort(compare)) {
      const row = rowFor(r.robot);
      updateRow(row, r);
      tbody.appendChild(row.tr); // appending an attached row moves it: the rows end up sorted
      seen.add(r.robot);
    }
    for (const [name, row] of rows) {
      if (!seen.has(name)) {
        row.tr.remove();
        rows.delete(name);
      }
    }
    for (const th of table.querySelectorAll('th[data-key]')) {
      th.setAttribute('aria-sort', th.dataset.key !== sort.key ? 'none' : sort.dir > 0 ? 'ascending' : 'descending');
    }
    renderDetail();
  }

  function field(dl, name, value, cls) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.className = cls;
    dl.append(dt, dd);
  }

  // The robot's completeness accounting (central-ingest README, "Completeness"): complete up to
  // when, and which excerpts are missing and why.
  const REASONS = {
    dropped: 'dropped at the robot (disk cap or damage)',
    refused: 'refused by central-ingest',
    pending: 'still pending on the robot',
    lost: 'unsent when the robot\'s buffer started anew',
  };

  function completeness(dl, c) {
    if (!c) {
      field(dl, 'completeness', 'not accounted: its pushes carry no sequence numbers (vmagent or an older agent)',
          'completeness');
      return;
    }
    const missing = Object.values(c.missingExcerpts).reduce((a, b) => a + b, 0);
    field(dl, 'complete up to', (c.completeUpTo || 'nothing yet: its first excerpt is missing')
        + (missing === 0 ? ' (nothing missing)' : ''), 'completeness ' + (missing === 0 ? 'complete' : 'incomplete'));
    field(dl, 'excerpts received', count(c.receivedExcerpts) + ' (' + count(c.receivedSamples) + ' samples), '
        + count(c.duplicateExcerpts) + ' duplicates recognised', 'received');
    const parts = Object.entries(c.missingExcerpts).filter(([, n]) => n > 0).map(([k, n]) => count(n) + ' ' + REASONS[k]);
    field(dl, 'excerpts missing', parts.length ? parts.join('; ') : '0', 'missing');
    for (const m of c.missingRanges) {
      field(dl, 'missing ' + m.first + (m.last > m.first ? '–' + m.last : ''), count(m.excerpts) + ' excerpts, '
          + REASONS[m.reason], 'missing-range ' + m.reason);
    }
    const drops = Object.entries(c.robotDroppedSamples).filter(([, n]) => n > 0).map(([k, n]) => count(n) + ' ' + k);
    if (drops.length) {
      field(dl, 'samples the agent dropped since it started', drops.join(', '), 'robot-dropped');
    }
  }

  function renderDetail() {
    const m = /^#robot=(.+)$/.exec(location.hash);
    if (!m) {
      detail.hidden = true;
      detailView = null;
      body.classList.remove('detail-open');
      return;
    }
    const name = decodeURIComponent(m[1]);
    detail.hidden = false;
    body.classList.add('detail-open');
    const r = last ? last.robots.find((x) => x.robot === name) : null;
    if (!detailView || detailView.name !== name) {
      detail.textContent = '';
      const back = document.createElement('a');
      back.href = '#';
      back.className = 'back';
      back.textContent = '← all robots';
      const h2 = document.createElement('h2');
      h2.textContent = name;
      const dl = document.createElement('dl');
      const plot = document.createElement('div');
      plot.className = 'plot';
      detail.append(back, h2, dl, plot);
      detailView = {name, dl, plot, chart: null};
    }
    const dl = detailView.dl;
    dl.textContent = '';
    if (!r) {
      field(dl, 'state', last ? 'not known: no push from this robot since central-ingest started' : 'waiting for data', 'state');
      return;
    }
    field(dl, 'state', r.state, 'state ' + r.state);
    field(dl, 'last push', duration(r.lastPushAgeSeconds) + ' ago (' + new Date(r.lastPushMs).toISOString() + ')', 'lastPush');
    field(dl, 'backlog (pending samples)', count(r.pendingSamples), 'pending');
    field(dl, 'delivery delay (oldest pending sample)', duration(r.oldestPendingAgeSeconds), 'delay');
    field(dl, 'samples dropped at the robot', count(r.droppedSamples), 'dropped');
    const refused = r.refusedSamples;
    field(dl, 'samples the storage refuses (timestamp out of its range)', refused.tooOld + refused.tooNew === 0 ? '0'
        : count(refused.tooOld) + ' too old, ' + count(refused.tooNew) + ' too new', 'refused');
    field(dl, 'clock skew (robot minus central-ingest)', skew(r.clockSkewSeconds), 'skew');
    field(dl, 'samples/s (1 min)', r.samplesPerSecond.toFixed(1), 'rate');
    completeness(dl, r.completeness);
    if (window.uPlot) {
      const data = series(r);
      const width = Math.max(240, Math.min(800, detail.clientWidth - 16));
      if (detailView.chart && detailView.chart.width !== width) {
        detailView.chart.destroy();
        detailView.chart = null;
      }
      if (detailView.chart) {
        detailView.chart.setData(data);
      } else {
        detailView.chart = chart(detailView.plot, width, 200, true, data);
      }
    }
  }

  for (const th of table.querySelectorAll('th[data-key]')) {
    th.tabIndex = 0;
    const toggle = () => {
      sort = {key: th.dataset.key, dir: sort.key === th.dataset.key ? -sort.dir : 1};
      render();
    };
    th.addEventListener('click', toggle);
    th.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      }
    });
  }
  filter.addEventListener('input', render);
  window.addEventListener('hashchange', renderDetail);

  const events = new EventSource(body.dataset.events);
  events.onopen = () => {
    live.textContent = 'live';
    live.className = 'live-on';
  };
  events.onerror = () => {
    live.textContent = 'connection lost: reconnecting…';
    live.className = 'live-off';
  };
  events.onmessage = (e) => {
    if (!last) tbody.textContent = ''; // the server-rendered rows give way to live ones
    last = JSON.parse(e.data);
    render();
  };
  renderDetail();
})();
