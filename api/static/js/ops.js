// Ops console: natural-language questions answered as a table and a chart, and the capacity
// heatmap (nodes × next 7 days) with the at-risk orders of a cell.
(function () {
  "use strict";
  const P = window.Promesa;
  const el = P.el;
  const client = new P.Client({ storageKey: "promesa.ops.token" });
  const $ = (id) => document.getElementById(id);
  let chart = null;
  let risk = null;

  P.staffSignIn({ client, root: $("signin"), role: "ops", subject: "ops-demo", title: "Ops console", onReady: start });

  function start() {
    $("workspace").hidden = false;
    let turn = [];
    const pane = new P.ChatPane({ client, root: $("ask"), lang: () => "en", storageKey: "promesa.ops.thread",
      placeholder: "e.g. Which orders will miss their promise tomorrow?",
      onDecision: (d) => turn.push(d),
      showCard: (d) => d.type !== "risk_flag" && d.type !== "analytics_result",
      onTurnDone: () => { showAnswer(turn); turn = []; } });
    const original = pane.ask.bind(pane);
    pane.ask = (text) => { turn = []; return original(text); };
    $("refresh-risk").addEventListener("click", loadRisk);
    loadRisk();
  }

  function drawChart(labels, values, label) {
    const canvas = el("canvas", { "data-testid": "answer-chart", role: "img", "aria-label": label });
    $("answer-chart").replaceChildren(el("div", { class: "chart-box" }, canvas));
    if (chart) chart.destroy();
    chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels, datasets: [{ label, data: values, backgroundColor: "#0b5d4b" }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } },
    });
  }

  function showAnswer(decisions) {
    const table = $("answer-table");
    const analytics = decisions.filter((d) => d.type === "analytics_result");
    const flags = decisions.filter((d) => d.type === "risk_flag");
    if (analytics.length) {
      const d = analytics[analytics.length - 1];
      const rows = d.rows || [];
      const columns = rows.length ? Object.keys(rows[0]) : [];
      table.replaceChildren(el("h2", {}, `${String(d.metric).replace(/_/g, " ")}${d.unit ? ` (${d.unit})` : ""}`),
        P.table(columns, rows, { csv: `${d.metric}.csv` }));
      const valueKey = columns.find((c) => c === "value" || c === d.metric) || columns[columns.length - 1];
      const labelKey = columns.find((c) => c !== valueKey) || valueKey;
      drawChart(rows.map((r) => String(r[labelKey])), rows.map((r) => Number(r[valueKey]) || 0), String(d.metric));
    } else if (flags.length) {
      const rows = flags.map((f) => ({ order_id: f.order_id || "", node_id: f.node_id || "", day: f.day || "",
        reason: f.reason || "", severity: f.severity || "", reroute: f.reroute_available === undefined ? "" : f.reroute_available ? "yes" : "no" }));
      table.replaceChildren(el("h2", { "data-testid": "answer-title" }, `At-risk orders (${rows.length})`),
        P.table(["order_id", "node_id", "day", "reason", "severity", "reroute"], rows, { csv: "at-risk-orders.csv" }));
      const byReason = {};
      rows.forEach((r) => { byReason[r.reason] = (byReason[r.reason] || 0) + 1; });
      drawChart(Object.keys(byReason), Object.values(byReason), "At-risk orders by reason");
    }
  }

  const shade = (u) => (u < 0.5 ? "u0" : u < 0.8 ? "u1" : u < 1 ? "u2" : u < 1.2 ? "u3" : "u4");

  async function loadRisk() {
    const box = $("heatmap");
    box.replaceChildren(el("p", { class: "muted" }, "Loading capacity…"));
    try {
      risk = await client.get("/v1/ops/risk?days=7");
      const cells = risk.node_days || [];
      const days = [...new Set(cells.map((c) => c.day))].sort();
      const byNode = {};
      cells.forEach((c) => { (byNode[c.node_id] = byNode[c.node_id] || {})[c.day] = c; });
      const nodes = Object.keys(byNode).sort((a, b) => maxUtil(byNode[b]) - maxUtil(byNode[a]));
      const head = el("tr", {}, el("th", { scope: "col" }, "Node"), days.map((d) => el("th", { scope: "col" }, P.formatDate(d, "en").split(",").slice(0, 2).join(","))));
      const body = nodes.map((n) => el("tr", {}, el("th", { scope: "row" }, n), days.map((day) => {
        const c = byNode[n][day];
        if (!c) return el("td", {}, "");
        const u = Number(c.utilisation ?? c.utilization ?? 0);
        return el("td", {}, el("button", { type: "button", class: shade(u), "data-testid": "heat-cell", "data-node": n, "data-day": day,
          title: `${n} ${day}: ${c.due_orders + c.carried_in_orders}/${c.capacity_orders} orders`,
          onclick: () => showCell(n, day) }, `${Math.round(u * 100)}%`));
      })));
      box.replaceChildren(el("table", { class: "heatmap", "data-testid": "heatmap" }, el("thead", {}, head), el("tbody", {}, body)));
      // the totals count every at-risk order (the response carries one page of them)
      const reasons = (risk.totals && risk.totals.by_reason) || {};
      $("risk-reasons").replaceChildren(el("h3", {}, `Risk reasons (next 7 days): ${risk.totals.at_risk_orders} orders`),
        P.table(["reason", "orders"], Object.entries(reasons).map(([reason, orders]) => ({ reason, orders })), { csv: "risk-reasons.csv" }));
    } catch (err) {
      box.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }
  const maxUtil = (days) => Math.max(...Object.values(days).map((c) => Number(c.utilisation ?? c.utilization ?? 0)));

  async function showCell(node, day) {
    const box = $("cell-orders");
    box.replaceChildren(el("p", { class: "muted" }, `Loading ${node} · ${day}…`));
    try {
      // the node's own scan, all its at-risk orders (the overview holds only the worst page)
      const scan = await client.get(`/v1/ops/risk?days=7&nodes=${encodeURIComponent(node)}&limit=1000`);
      const orders = (scan.at_risk || []).filter((o) => o.ship_by === day || o.expected_ship_day === day);
      const rows = orders.map((o) => ({ order_id: o.order_id, reason: o.reason, severity: o.severity,
        promised_date: o.promised_date, reroute: o.reroute_possible ? "yes" : "no" }));
      box.replaceChildren(el("h3", { "data-testid": "cell-title" }, `${node} · ${day}: ${rows.length} at-risk orders`),
        rows.length ? P.table(["order_id", "reason", "severity", "promised_date", "reroute"], rows, { csv: `${node}-${day}.csv` }) : el("p", { class: "muted" }, "No at-risk orders in this cell."));
    } catch (err) {
      box.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }
})();
