// Ops console: natural-language questions answered as a table and a chart (the question as
// understood above them), and the capacity heatmap (nodes × next 7 days) with the at-risk
// orders of a cell.
(function () {
  "use strict";
  const P = window.Promesa;
  const el = P.el;
  const client = new P.Client({ storageKey: "promesa.ops.token" });
  const $ = (id) => document.getElementById(id);
  const HISTORY_KEY = "promesa.ops.history";
  let chart = null;
  let risk = null;
  let pane = null;
  let scanCall = null;  // the scan_risk call of the current turn: its window pages the full list
  let answerSeq = 0;  // a newer answer wins over an older one still loading its rows

  const SUGGESTIONS = ["Which orders will miss their promise tomorrow?", "On-time rate by carrier this week",
    "Utilisation by node this week", "How many orders are at risk by reason?"];
  const REASONS = P.strings("en").reasons;
  const SEVERITY = { low: "Low", medium: "Medium", high: "High", critical: "Critical" };
  const METRICS = { on_time_rate: "On-time rate", utilisation: "Utilisation", orders: "Orders", late_orders: "Late orders",
    at_risk_orders: "At-risk orders", revenue: "Revenue" };
  const metricName = (m) => METRICS[m] || P.columnLabel(m || "result");
  const LABELS = { order_id: "Order", node_id: "Node", day: "Ship day", reason: "Reason", severity: "Severity",
    reroute: "Reroute possible", promised_date: "Promised", orders: "Orders" };

  P.staffSignIn({ client, root: $("signin"), role: "ops", subject: "ops-demo", title: "Ops console", onReady: start });

  function start() {
    $("workspace").hidden = false;
    let turn = [];
    pane = new P.ChatPane({ client, root: $("ask"), lang: () => "en", storageKey: "promesa.ops.thread",
      placeholder: "e.g. Which orders will miss their promise tomorrow?",
      onDecision: (d) => turn.push(d),
      onToolCall: (c) => { if (c.name === window.PromesaEnums.ToolName.scan_risk) scanCall = c.args || {}; },
      showCard: (d) => d.type !== "risk_flag" && d.type !== "analytics_result",
      onTurnDone: (r) => { showAnswer(turn, r); turn = []; } });
    const original = pane.ask.bind(pane);
    pane.ask = (text, opts) => { turn = []; scanCall = null; remember(text); return original(text, opts); };
    $("refresh-risk").addEventListener("click", loadRisk);
    $("only-load").addEventListener("change", () => drawHeatmap());
    showEmpty();
    drawHistory();
    loadRisk();
  }

  function showEmpty() {
    $("answer-table").replaceChildren(el("h2", {}, "Answer"),
      el("p", { class: "muted" }, "Ask a question in the Ask panel, or start with one of these:"),
      el("div", { class: "suggestions" }, SUGGESTIONS.map((q) => el("button", { type: "button", class: "secondary small chip",
        "data-testid": "suggestion", onclick: () => pane.ask(q) }, q))));
  }

  function remember(text) {
    const list = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]").filter((q) => q !== text);
    list.unshift(text);
    sessionStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, 10)));
    drawHistory();
  }
  function drawHistory() {
    const list = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]");
    // replaceChildren writes a null as the text "null": an empty history is no children at all
    $("history").replaceChildren(...(list.length ? [el("h3", {}, "Recent questions"),
      el("ul", { class: "list history", "data-testid": "history" }, list.map((q) => el("li", {},
        el("button", { type: "button", onclick: () => pane.ask(q) }, q))))] : []));
  }

  function drawChart(labels, values, label, unit) {
    const canvas = el("canvas", { "data-testid": "answer-chart", role: "img", "aria-label": label });
    $("answer-chart").replaceChildren(el("div", { class: "chart-box" }, canvas));
    if (chart) chart.destroy();
    chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels, datasets: [{ label, data: values, backgroundColor: "#0b5d4b" }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (c) => P.formatValue(c.parsed.y, unit, "en") } } },
        scales: { y: { beginAtZero: true, ticks: { callback: (v) => P.formatValue(v, unit, "en") } } } },
    });
  }
  function clearChart() {
    if (chart) { chart.destroy(); chart = null; }
    $("answer-chart").replaceChildren();
  }

  // "On-time rate by carrier · 14–20 Nov": the question as the code understood it.
  function understood(d) {
    const range = d.start && d.end ? (d.start === d.end ? P.formatDate(d.start, "en")
      : `${P.formatDate(d.start, "en")} – ${P.formatDate(d.end, "en")}`) : "";
    const by = (d.dimensions || []).length ? ` by ${d.dimensions.map((x) => P.columnLabel(x).toLowerCase()).join(" and ")}` : "";
    const filters = Object.entries(d.filters || {}).map(([k, v]) => `${P.columnLabel(k).toLowerCase()}: ${[].concat(v).join(", ")}`).join("; ");
    const peak = (d.rows || []).some((r) => r.peak_day) ? "Peak " : "";
    const metric = peak ? metricName(d.metric).toLowerCase() : metricName(d.metric);
    return [`${peak}${metric}${by}`, range, filters].filter(Boolean).join(" · ");
  }

  function showAnswer(decisions, result) {
    const table = $("answer-table");
    answerSeq += 1;
    const analytics = decisions.filter((d) => d.type === "analytics_result");
    const flags = decisions.filter((d) => d.type === "risk_flag");
    if (analytics.length) {
      const d = analytics[analytics.length - 1];
      const t = P.analyticsTable(d, "en");
      // utilisation over a week: each node's busiest day is the value (the domain's peak_day)
      const peaks = (d.rows || []).some((r) => r.peak_day);
      if (peaks) {
        t.columns.splice(t.columns.length - 1, 0, "peak_day");
        t.rows.forEach((row, i) => { row.peak_day = d.rows[i].peak_day ? new Date(`${d.rows[i].peak_day}T12:00:00`).toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric" }) : ""; });
      }
      const labels = { peak_day: "Busiest day" };
      t.columns.forEach((c) => { labels[c] = labels[c] || (c === "value" ? `${peaks ? "Peak " : ""}${metricName(d.metric)}${d.unit ? ` (${d.unit})` : ""}` : P.columnLabel(c)); });
      table.replaceChildren(el("h2", { "data-testid": "answer-title" }, understood(d)),
        t.rows.length ? P.table(t.columns, t.rows, { csv: `${d.metric}.csv`, labels,
          format: (c, v) => (c === "value" ? P.formatValue(v, d.unit, "en") : v) }) : el("p", { class: "muted" }, "No data for this question."));
      table.querySelectorAll("td:last-child").forEach((td) => td.classList.add("num"));
      const chartLabels = t.rows.map((r) => t.dims.map((k) => r[k]).join(" · ") || metricName(d.metric));
      if (t.rows.length) drawChart(chartLabels, t.rows.map((r) => Number(r.value) || 0), understood(d), d.unit); else clearChart();
    } else if (flags.length) {
      // one number for one thing: the orders at risk (what the answer's text counts); the
      // node-days over capacity are their cause, listed apart and not counted as orders
      const over = flags.filter((f) => !f.order_id);
      const rows = flags.filter((f) => f.order_id).map((f) => riskRow(f.order_id, f.node_id, f.day, f.reason, f.severity));
      // the flags carry the true total; the agent lists only the worst of them
      const total = flags.find((f) => f.order_id && typeof f.total === "number")?.total ?? rows.length;
      // one entry per node with its days ("DC-GDL-01: Sat, Nov 21, Sun, Nov 22"), not one per node-day
      const overDays = {};
      over.forEach((f) => { (overDays[f.node_id] = overDays[f.node_id] || []).push(f.day); });
      const overLine = over.length ? el("p", { "data-testid": "answer-over-capacity" }, `Over capacity: ${Object.entries(overDays).map(([node, days]) =>
        `${node} on ${days.filter(Boolean).sort().map(listDay).join(", ")}`).join("; ")}`) : null;
      const more = total > rows.length && scanCall;
      drawRisk(rows, total, overLine, more ? `Loading the other ${total - rows.length}…` : "");
      if (more) loadAllRisk(scanCall, total, overLine, answerSeq);
    } else {
      // nothing to tabulate: say so where the answer goes, and clear the previous answer
      table.replaceChildren(el("h2", { "data-testid": "answer-title" }, "I can't answer that"),
        el("p", { "data-testid": "answer-none" }, (result && result.text) || "Try one of the suggested questions."),
        el("div", { class: "suggestions" }, SUGGESTIONS.map((q) => el("button", { type: "button", class: "secondary small chip",
          onclick: () => pane.ask(q) }, q))));
      clearChart();
    }
    table.scrollIntoView({ block: "nearest", behavior: "auto" });
  }

  // "Sat, Nov 21": short enough for a row on a phone; in a list of days, "Sat Nov 21"
  const shortDay = (iso) => new Date(`${iso}T12:00:00`).toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric" });
  const listDay = (iso) => shortDay(iso).replace(",", "");
  // no ship day: the order has left its node (a carrier delay), which the row says in words
  const riskRow = (order_id, node_id, day, reason, severity) => ({ order_id, node_id: node_id || "—", day: day ? shortDay(day) : "With the carrier",
    reason: REASONS[reason] || String(reason || "").replace(/_/g, " "), severity: SEVERITY[severity] || severity || "" });

  // The at-risk answer: every order in a table that scrolls inside the panel (the title counts
  // what it lists against the true total while the rest loads), the chart counts the same rows.
  function drawRisk(rows, total, overLine, note) {
    const title = total > rows.length ? `At-risk orders (${rows.length} of ${total})` : `At-risk orders (${rows.length})`;
    // replaceChildren writes a null as the text "null": only the parts there are
    $("answer-table").replaceChildren(...[el("h2", { "data-testid": "answer-title" }, title),
      overLine, note ? el("p", { class: "muted", role: "status", "data-testid": "answer-note" }, note) : null,
      rows.length ? P.table(["order_id", "node_id", "day", "reason", "severity"], rows, { csv: "at-risk-orders.csv", labels: LABELS, caption: title })
        : el("p", { class: "muted" }, "No order is at risk.")].filter(Boolean));
    const byReason = {};
    rows.forEach((r) => { byReason[r.reason] = (byReason[r.reason] || 0) + 1; });
    drawChart(Object.keys(byReason), Object.values(byReason), `${title} by reason`, "");
  }

  // The agent names the worst orders; the same scan (its window and nodes) pages the rest from
  // /v1/ops/risk, worst first, so every order the text counts is in the table.
  async function loadAllRisk(args, total, overLine, seq) {
    const query = new URLSearchParams({ days: String(args.days || 7), limit: "100" });
    if (args.start) query.set("start", args.start);
    if ((args.node_ids || []).length) query.set("nodes", args.node_ids.join(","));
    const rows = [];
    let offset = 0;
    try {
      while (offset !== null && rows.length < MAX_LISTED) {
        query.set("offset", String(offset));
        const page = await client.get(`/v1/ops/risk?${query}`);
        if (seq !== answerSeq) return;
        page.at_risk.forEach((o) => rows.push(riskRow(o.order_id, o.node_id, o.expected_ship_day || o.ship_by, o.reason, o.severity)));
        total = page.totals.at_risk_orders;
        offset = page.next_offset ?? null;
      }
      drawRisk(rows, total, overLine, rows.length < total ? `The ${rows.length} worst are listed; the CSV holds them.` : "");
    } catch (err) {
      if (seq === answerSeq) $("answer-table").append(el("p", { class: "error" }, `The rest of the list did not load: ${err.message}`));
    }
  }
  const MAX_LISTED = 1000;

  const shade = (u) => (u < 0.5 ? "u0" : u < 0.8 ? "u1" : u < 1 ? "u2" : u < 1.2 ? "u3" : "u4");
  const SHADES = [["u0", "under 50%"], ["u1", "50–79%"], ["u2", "80–99%"], ["u3", "100–119%"], ["u4", "120% or more"]];
  const load = (c) => c.due_orders + c.carried_in_orders;

  function dayLabel(day, start) {
    const offset = Math.round((new Date(`${day}T12:00:00`) - new Date(`${start}T12:00:00`)) / 86400000);
    const date = new Date(`${day}T12:00:00`).toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric" });
    return offset === 0 ? `Today · ${date}` : offset === 1 ? `Tomorrow · ${date}` : date;
  }

  async function loadRisk() {
    const box = $("heatmap");
    box.replaceChildren(el("p", { class: "muted" }, "Loading capacity…"));
    try {
      risk = await client.get("/v1/ops/risk?days=7");
      drawHeatmap();
      // the totals count every at-risk order (the response carries one page of them)
      const reasons = (risk.totals && risk.totals.by_reason) || {};
      $("risk-reasons").replaceChildren(el("h3", {}, `Risk reasons (next 7 days): ${risk.totals.at_risk_orders} orders`),
        P.table(["reason", "orders"], Object.entries(reasons).map(([reason, orders]) => ({ reason: REASONS[reason] || reason.replace(/_/g, " "), orders })),
          { csv: "risk-reasons.csv", labels: LABELS }));
    } catch (err) {
      box.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  function drawHeatmap() {
    if (!risk) return;
    const box = $("heatmap");
    const cells = risk.node_days || [];
    const days = [...new Set(cells.map((c) => c.day))].sort();
    const byNode = {};
    cells.forEach((c) => { (byNode[c.node_id] = byNode[c.node_id] || {})[c.day] = c; });
    const onlyLoad = $("only-load").checked;
    const all = Object.keys(byNode);
    const nodes = all.filter((n) => !onlyLoad || Object.values(byNode[n]).some((c) => load(c) > 0))
      .sort((a, b) => maxUtil(byNode[b]) - maxUtil(byNode[a]) || a.localeCompare(b));
    $("heat-count").textContent = `${nodes.length} of ${all.length} nodes`;
    const head = el("tr", {}, el("th", { scope: "col" }, "Node"), days.map((d, i) => el("th", { scope: "col", class: i === 0 ? "today" : "" }, dayLabel(d, risk.start))));
    const body = nodes.map((n) => el("tr", {}, el("th", { scope: "row", title: P.nodeName(n) }, n), days.map((day) => {
      const c = byNode[n][day];
      if (!c) return el("td", {}, "");
      const u = Number(c.utilisation ?? c.utilization ?? 0);
      const atRisk = c.at_risk_orders || 0;
      const words = `${n}, ${dayLabel(day, risk.start)}: ${load(c)} of ${c.capacity_orders} orders (${Math.round(u * 100)}%)` +
        (atRisk ? `, ${atRisk} at risk` : "");
      return el("td", {}, el("button", { type: "button", class: shade(u), "data-testid": "heat-cell", "data-node": n, "data-day": day,
        title: words, "aria-label": words, onclick: () => showCell(n, day) }, `${Math.round(u * 100)}%`,
        atRisk ? el("small", { class: "cell-risk", "data-testid": "cell-at-risk" }, `${atRisk} at risk`) : null));
    })));
    // the cells count an order on its ship-by day; an order already with the carrier has no
    // ship day in the window, so the cells hold fewer than the total: say how many and why
    const total = (risk.totals && risk.totals.at_risk_orders) || 0;
    const inCells = cells.reduce((n, c) => n + (c.at_risk_orders || 0), 0);
    const rest = total - inCells;
    box.replaceChildren(
      el("p", { "data-testid": "heat-at-risk" }, `${total} orders at risk in these 7 days: ${inCells} in the cells below, on the day they must ship` +
        (rest > 0 ? `; ${rest} already with the carrier (no ship day left)` : "") + "."),
      el("div", { class: "legend", "data-testid": "heat-legend" }, el("strong", {}, "Utilisation (orders due ÷ capacity):"),
        SHADES.map(([cls, text]) => el("span", {}, el("i", { class: cls }), text))),
      el("table", { class: "heatmap", "data-testid": "heatmap" }, el("thead", {}, head), el("tbody", {}, body)));
  }
  const maxUtil = (days) => Math.max(...Object.values(days).map((c) => Number(c.utilisation ?? c.utilization ?? 0)));

  async function showCell(node, day) {
    const box = $("cell-orders");
    box.replaceChildren(el("p", { class: "muted" }, `Loading ${node} · ${day}…`));
    try {
      // the node's own scan, all its at-risk orders (the overview holds only the worst page)
      const scan = await client.get(`/v1/ops/risk?days=7&nodes=${encodeURIComponent(node)}&limit=1000`);
      // the domain's rule (capacity.cell_day): an order counts in its ship-by day's cell only
      const orders = (scan.at_risk || []).filter((o) => (o.ship_by || o.expected_ship_day) === day);
      const rows = orders.map((o) => ({ order_id: o.order_id, reason: REASONS[o.reason] || o.reason, severity: SEVERITY[o.severity] || o.severity,
        promised_date: P.formatDate(o.promised_date, "en"), reroute: o.reroute_possible ? "yes" : "no" }));
      box.replaceChildren(el("h3", { "data-testid": "cell-title" }, `${node} · ${dayLabel(day, risk.start)}: ${rows.length} at-risk orders`),
        rows.length ? P.table(["order_id", "reason", "severity", "promised_date", "reroute"], rows, { csv: `${node}-${day}.csv`, labels: LABELS })
          : el("p", { class: "muted" }, "No at-risk orders in this cell."));
    } catch (err) {
      box.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }
})();
