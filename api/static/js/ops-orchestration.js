// Ops console: what the orchestrator did on its own (with the autonomy rule that allowed it)
// and what waits for a person (approve / reject), with revert for what ran. One tag and one
// call: PromesaOrchestration.attach(). Reads GET /v1/orchestration/actions and /pending with the
// ops token; store names from /v1/stores; reloads on its Refresh button and when the live feed
// announces a notice (a decision someone else took).
(function (global) {
  "use strict";
  const TOKEN_KEY = "promesa.ops.token";
  const P = () => global.Promesa;
  const E = () => (global.PromesaEnums || {});
  const D = () => E().OrchestrationDecision || {};
  const TRIGGERS = {
    carrier_delay: "Carrier delay", stock_loss: "Stock lost at the node", capacity_drop: "Node capacity dropped",
    node_closed: "Node closed", missed_cutoff: "Missed the carrier cut-off", pickup_expiring: "Pickup hold ending",
  };
  const DECISIONS = {
    auto_executed: "Done automatically", awaiting_approval: "Waiting for approval", approved: "Approved and done",
    rejected: "Rejected", notice_only: "Customer notified", no_option: "No option keeps the promise: customer notified",
    reverted: "Reverted", awaiting_customer: "Offered to the customer", accepted: "Accepted by the customer",
  };
  const RULE_PARTS = { keeps_promise: "keeps the promise", within_cost: "within the extra-cost limit",
    invisible: "changes nothing the customer sees" };
  const KINDS = { ship_from_node: "Ship from", split: "Split between", pickup: "Pickup at", upgrade_service: "Faster service from" };

  function triggerWords(t) { return TRIGGERS[t] || "Other change"; }
  function decisionWords(d) { return DECISIONS[d] || "Recorded"; }
  // "auto_reroute:keeps_promise+within_cost+invisible" -> the policy's conditions in words
  function ruleWords(rule) {
    if (!rule) return "";
    const [, parts] = String(rule).split(":");
    const words = (parts || "").split("+").map((p) => RULE_PARTS[p]).filter(Boolean);
    return words.length ? `Autonomy policy: ${words.join(", ")}` : "Autonomy policy";
  }
  function store(id) { return id ? P().nodeName(id) : ""; }
  // "ship_from_node:OTHER:ESTAFETA-STD" (or the proposal's option) -> "Ship from Cumbres (Monterrey) with ESTAFETA-STD"
  function optionWords(optionId, option) {
    if (!optionId) return "";
    const [kind, nodes, service] = String(optionId).split(":");
    const where = (option && option.nodes ? option.nodes : (nodes || "").split("+")).map(store).join(" + ");
    const via = kind !== "pickup" && service ? ` with ${service}` : "";
    return `${KINDS[kind] || "Move to"} ${where}${via}`;
  }
  function day(iso) {
    if (!iso) return "";
    const d = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
    return Number.isNaN(d.getTime()) ? "" : d.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
  }
  function when(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? "" : d.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }
  function money(v) { return `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)} MXN`; }
  function who(label) {
    if (!label) return "";
    if (label.startsWith("policy:")) return "the autonomy policy";
    const [role, id] = label.split(":");
    const roles = { ops: "Ops", support: "Support", customer: "Customer", system: "System" };
    return `${roles[role] || "Staff"} ${id || ""}`.trim();
  }

  function panel() {
    let box = document.querySelector("[data-testid=orchestration]");
    if (box) return box;
    const el = P().el;
    box = el("section", { class: "panel", "data-testid": "orchestration", "aria-labelledby": "orchestration-title", style: "grid-column:1/-1" },
      el("div", { class: "row", style: "justify-content:space-between" },
        el("h2", { id: "orchestration-title" }, "Orchestrator · keeping promises"),
        el("div", { class: "row" }, el("span", { class: "muted", "data-testid": "orchestration-count", "aria-live": "polite" }, ""),
          el("button", { type: "button", class: "secondary small", "data-testid": "orchestration-refresh", onclick: () => load(box) }, "Refresh"))),
      el("p", { class: "muted", "data-testid": "orchestration-result", role: "status" }, ""),
      el("h3", {}, "Waiting for approval"),
      el("div", { class: "table-wrap", "data-testid": "orchestration-pending" }),
      el("h3", {}, "What it did"),
      el("div", { class: "table-wrap", "data-testid": "orchestration-actions" }));
    const host = document.getElementById("workspace") || document.querySelector("main") || document.body;
    const after = host.querySelector("[data-testid=dead-letters]") || host.querySelector("[data-testid=live-feed]");
    if (after) host.insertBefore(box, after); else host.appendChild(box);
    return box;
  }

  async function call(method, path, body) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(path, { method, body: body ? JSON.stringify(body) : undefined,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error((data && data.error && data.error.message) || `HTTP ${response.status}`);
    return data;
  }

  function proposed(a) {
    const options = (a.proposal && a.proposal.options) || [];
    return options.find((o) => o.option_id === a.option_id) || null;
  }

  function pendingTable(box, list) {
    const el = P().el;
    if (!list.length) return el("p", { class: "muted" }, "Nothing waits for approval.");
    const rows = list.map((a) => {
      const o = proposed(a);
      const promised = a.proposal && a.proposal.promised_date;
      return el("tr", { "data-testid": "orchestration-pending-row", "data-id": a.id },
        el("td", {}, a.order_id, el("div", { class: "muted" }, when(a.detected_at))),
        el("td", {}, triggerWords(a.trigger)),
        el("td", { style: "white-space:normal" }, el("strong", {}, optionWords(a.option_id, o)),
          o ? el("div", { class: "muted" }, `Arrives ${day(o.eta)}${promised ? ` (promised ${day(promised)})` : ""} · ${money(o.cost_delta_mxn)}`) : null),
        el("td", { style: "white-space:normal;max-width:24rem" }, a.detail),
        el("td", {},
          el("button", { type: "button", class: "small", "data-testid": "orchestration-approve", "aria-label": `Approve the proposal for ${a.order_id}`,
            onclick: () => act(box, a, "approve") }, "Approve"), " ",
          el("button", { type: "button", class: "secondary small", "data-testid": "orchestration-reject", "aria-label": `Reject the proposal for ${a.order_id}`,
            onclick: () => act(box, a, "reject") }, "Reject")));
    });
    return el("table", { class: "data" },
      el("caption", { class: "muted", style: "text-align:left" }, "Oldest first. A pickup is offered to the customer when approved: only they can agree to it."),
      el("thead", {}, el("tr", {}, ["Order", "What moved", "Proposed", "Why it waits", "Decision"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows));
  }

  function actionsTable(box, list) {
    const el = P().el;
    if (!list.length) return el("p", { class: "muted" }, "The orchestrator has not acted yet.");
    const revertible = new Set([D().auto_executed, D().approved]);

    const rows = list.map((a) => el("tr", { "data-testid": "orchestration-action", "data-id": a.id, "data-decision": a.decision },
      el("td", {}, when(a.detected_at)),
      el("td", {}, a.order_id),
      el("td", {}, triggerWords(a.trigger)),
      el("td", { style: "white-space:normal" }, el("strong", {}, decisionWords(a.decision)),
        a.option_id ? el("div", {}, optionWords(a.option_id)) : null,
        a.rule ? el("div", { class: "muted", "data-testid": "orchestration-rule" }, ruleWords(a.rule)) : null),
      el("td", {}, a.decided_by ? who(a.decided_by) : "—"),
      el("td", {}, revertible.has(a.decision) ? el("button", { type: "button", class: "secondary small", "data-testid": "orchestration-revert",
        "aria-label": `Revert the change to ${a.order_id}`, onclick: () => act(box, a, "revert") }, "Revert") : "")));
    return el("table", { class: "data" },
      el("caption", { class: "muted", style: "text-align:left" }, "Newest first, with the rule that allowed each automatic change."),
      el("thead", {}, el("tr", {}, ["Detected", "Order", "What moved", "What happened", "Decided by", "Undo"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows));
  }

  const DONE = { approve: "Approved", reject: "Rejected", revert: "Reverted" };
  async function act(box, a, verb) {
    const result = box.querySelector("[data-testid=orchestration-result]");
    try {
      const after = await call("POST", `/v1/orchestration/actions/${a.id}/${verb}`, { note: null });
      result.textContent = after.decision === D().awaiting_customer
        ? `${a.order_id}: the pickup was offered to the customer; it changes once they accept.`
        : `${DONE[verb]}: ${a.order_id} (${decisionWords(after.decision).toLowerCase()}).`;
    } catch (error) {
      result.textContent = `Could not ${verb} ${a.order_id}: ${error.message}`;
    }
    await load(box);
  }

  async function load(box) {
    try {
      const [pending, actions] = await Promise.all([call("GET", "/v1/orchestration/pending?limit=100"), call("GET", "/v1/orchestration/actions?limit=100")]);
      await (P().storesReady || Promise.resolve());
      box.querySelector("[data-testid=orchestration-pending]").replaceChildren(pendingTable(box, pending));
      box.querySelector("[data-testid=orchestration-actions]").replaceChildren(actionsTable(box, actions));
      box.querySelector("[data-testid=orchestration-count]").textContent =
        `${pending.length} waiting for approval · ${actions.length} recent`;
    } catch (error) {
      box.querySelector("[data-testid=orchestration-result]").textContent = `Could not load the orchestrator's work: ${error.message}`;
    }
  }

  global.PromesaOrchestration = {
    attach() {
      const start = () => {
        if (!sessionStorage.getItem(TOKEN_KEY)) { setTimeout(start, 500); return; }  // not signed in yet
        if (!P().storesReady) P().loadStores(new (P().Client)({ storageKey: TOKEN_KEY }));
        const box = panel();
        load(box);
        global.addEventListener("promesa:change", (event) => { if (event.detail && event.detail.kind === "notice") load(box); });
      };
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
    },
  };
})(window);
