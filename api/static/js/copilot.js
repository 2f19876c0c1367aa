// Support copilot: unified customer profile, agent conversation with reroute approvals,
// audit trail, and the queue of handoffs from the widget.
(function () {
  "use strict";
  const P = window.Promesa;
  const el = P.el;
  const client = new P.Client({ storageKey: "promesa.copilot.token" });
  const lang = () => "en";
  const $ = (id) => document.getElementById(id);
  let currentOrder = null;

  P.staffSignIn({ client, root: $("signin"), role: "support", subject: "agent-demo", title: "Support copilot", onReady: start });

  function start() {
    $("workspace").hidden = false;
    const pane = new P.ChatPane({ client, root: $("chat"), lang, storageKey: "promesa.copilot.thread", showReason: true,
      placeholder: "Ask about this customer or order…", onDecision: (d) => {
        if (d.order_id) { currentOrder = d.order_id; loadAudit(d.order_id); }
      }, onTurnDone: (r) => { if (r.text) $("draft").value = r.text; if (currentOrder) loadAudit(currentOrder); } });
    $("new-thread").addEventListener("click", () => pane.reset());
    $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search($("search").value); });
    $("ask-reroute").addEventListener("click", () => { if (currentOrder) pane.ask(`Propose a reroute for ${currentOrder}`); });
    loadHandoffs();
    P.copilotPane = pane;
  }

  async function search(q) {
    const results = $("results");
    results.replaceChildren(el("li", { class: "muted" }, "Searching…"));
    try {
      const matches = await client.get(`/v1/customers/search?q=${encodeURIComponent(q.trim())}`);
      const items = Array.isArray(matches) ? matches : matches.matches || [];
      results.replaceChildren(...(items.length ? items.map((m) => el("li", {},
        el("button", { type: "button", "data-testid": "customer-result", onclick: () => openProfile(m.customer_id) },
          `${m.name} · ${m.customer_id}${m.city ? " · " + m.city : ""} (${m.matched_on})`))) : [el("li", { class: "muted" }, "No customer found")]));
      if (items.length === 1) openProfile(items[0].customer_id);
    } catch (err) {
      results.replaceChildren(el("li", { class: "error" }, err.message));
    }
  }

  async function openProfile(id) {
    const box = $("profile");
    try {
      const p = await client.get(`/v1/customers/${encodeURIComponent(id)}`);
      box.replaceChildren(
        el("h2", { "data-testid": "profile-name" }, `${p.name} (${p.customer_id})`),
        el("p", { class: "muted" }, [p.city, p.locale, `LTV ${P.formatMoney(p.lifetime_value, "en")}`].filter(Boolean).join(" · ")),
        el("h3", {}, "Identities"),
        el("ul", { class: "list", "data-testid": "identities" }, (p.identities || []).map((i) => el("li", {}, `${i.kind}: ${i.value} (${i.source})`))),
        el("h3", {}, "Orders"),
        P.table(["order_id", "status", "promised_date", "fulfillment_type", "total"], p.orders || [], {
          csv: `${p.customer_id}-orders.csv`,
          onRowClick: (o) => { currentOrder = o.order_id; P.copilotPane.ask(`What's the status of ${o.order_id}?`); loadAudit(o.order_id); },
        }),
        el("h3", {}, "Interactions"),
        el("ul", { class: "list" }, (p.interactions || []).map((i) => el("li", {}, `${P.formatDateTime(i.occurred_at, "en")} · ${i.channel}: ${i.summary}`))));
    } catch (err) {
      box.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  async function loadAudit(orderId) {
    try {
      const entries = await client.get(`/v1/audit?entity_id=${encodeURIComponent(orderId)}`);
      const list = Array.isArray(entries) ? entries : entries.entries || [];
      const items = list.map((e) => {
        const d = e.details || {};
        const target = (d.moved || []).map((m) => m.to_node).filter(Boolean)[0] || "";
        return el("li", { "data-testid": "audit-entry" },
          el("strong", {}, String(e.action).replace(/_/g, " ")), target ? ` → ${target}` : "",
          el("div", { class: "muted" }, `${P.formatDateTime(e.occurred_at, "en")} · ${e.actor_role}:${e.actor_subject || ""}`),
          d.note ? el("div", {}, `“${d.note}”`) : null);
      });
      $("audit").replaceChildren(el("h2", {}, `Audit trail · ${orderId}`),
        items.length ? el("ul", { class: "list" }, items) : el("p", { class: "muted" }, "Nothing recorded yet."));
    } catch (err) {
      $("audit").replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  async function loadHandoffs() {
    try {
      const items = await client.get("/v1/handoffs");
      const list = Array.isArray(items) ? items : items.handoffs || [];
      $("handoffs").replaceChildren(el("h2", {}, `Handoff queue (${list.length})`),
        list.length ? P.table(["id", "created_at", "customer_id", "order_id", "reason"], list, {
          csv: "handoffs.csv",
          format: (c, v) => (c === "created_at" ? P.formatDateTime(v, "en") : v ?? ""),
          onRowClick: (h) => { if (h.customer_id) openProfile(h.customer_id); },
        }) : el("p", { class: "muted" }, "No open handoffs."));
    } catch (err) {
      $("handoffs").replaceChildren(el("p", { class: "error" }, err.message));
    }
  }
})();
