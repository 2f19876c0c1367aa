// Support copilot: unified customer profile, agent conversation with reroute approvals,
// audit trail, and the queue of handoffs from the widget (claim, read the transcript, resolve).
(function () {
  "use strict";
  const P = window.Promesa;
  const el = P.el;
  const client = new P.Client({ storageKey: "promesa.copilot.token" });
  const lang = () => "en";
  const $ = (id) => document.getElementById(id);
  const ORDER_KEY = "promesa.copilot.order";
  const PROFILE_KEY = "promesa.copilot.customer";
  let currentOrder = sessionStorage.getItem(ORDER_KEY) || null;
  let customerLocale = "es";
  let lastDecisions = [];

  // Handoff reasons in words (the agent records codes).
  const REASONS = { user_request: "Customer asked for a person", reroute_request: "Customer asks to ship from another store",
    too_many_steps: "The agent could not finish the request", model_unavailable: "The agent was unavailable",
    malformed_tool_call: "The agent could not finish the request" };
  const statusWords = (s) => (P.strings("en").statuses || {})[s] || String(s || "").replace(/_/g, " ");
  const reasonText = (r) => REASONS[r] || String(r || "").replace(/_/g, " ");
  const LABELS = { handoff_id: "Ticket", created_at: "Waiting since", customer_id: "Customer", order_id: "Order",
    reason: "Reason", status: "Status", promised_date: "Promised", fulfillment_type: "Fulfilment", total: "Total" };

  // "Mon, Nov 9": short enough for the profile's side column
  const shortDate = (iso) => (iso ? new Date(`${String(iso).slice(0, 10)}T12:00:00`).toLocaleDateString("en-US",
    { weekday: "short", month: "short", day: "numeric" }) : "");

  P.staffSignIn({ client, root: $("signin"), role: "support", subject: "agent-demo", title: "Support copilot", onReady: start });

  function setOrder(id) {
    currentOrder = id;
    if (id) sessionStorage.setItem(ORDER_KEY, id); else sessionStorage.removeItem(ORDER_KEY);
    $("ask-reroute").setAttribute("aria-label", id ? `Propose reroute for ${id}` : "Propose reroute");
  }

  function start() {
    $("workspace").hidden = false;
    P.loadStores(client);
    const pane = new P.ChatPane({ client, root: $("chat"), lang, storageKey: "promesa.copilot.thread", showReason: true,
      placeholder: "Ask about this customer or order…", onDecision: (d, opts) => {
        if (d.order_id) { setOrder(d.order_id); if (!opts.replay) loadAudit(d.order_id); }
        lastDecisions.push(d);
      }, onTurnDone: () => { writeDraft(); lastDecisions = []; if (currentOrder) loadAudit(currentOrder); },
      onReset: () => { setOrder(null); $("draft").value = ""; } });
    P.copilotPane = pane;
    $("new-thread").addEventListener("click", () => pane.reset());
    $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search($("search").value); });
    $("ask-reroute").addEventListener("click", () => {
      if (currentOrder) { pane.ask(`Propose a reroute for ${currentOrder}`); return; }
      pane.bubble("agent", "Open an order first (search a customer and pick one of their orders, or ask about an order id).")
        .classList.add("notice");
    });
    $("insert-draft").addEventListener("click", () => {
      const box = document.querySelector("[data-testid=handoff-reply]");
      if (box) { box.value = $("draft").value; box.focus(); }
      else { navigator.clipboard && navigator.clipboard.writeText($("draft").value).catch(() => {}); $("draft-status").textContent = "Copied."; }
    });
    $("refresh-handoffs").addEventListener("click", loadHandoffs);
    const saved = sessionStorage.getItem(PROFILE_KEY);
    if (saved) openProfile(saved);
    if (currentOrder) loadAudit(currentOrder);
    setOrder(currentOrder);
    loadHandoffs();
    // a live update (server push) refreshes the queue: see live.js
    P.copilotRefreshHandoffs = loadHandoffs;
    // and an event about the open customer re-reads their profile (live.js)
    P.copilotOpenProfile = openProfile;
  }

  // A reply for the customer, in the customer's language, from the decision records (never
  // the agent's text to staff, which names scores and node codes).
  function writeDraft() {
    const es = customerLocale.startsWith("es");
    const d = lastDecisions.filter((x) => ["order_status", "reroute_executed", "reroute_proposal"].includes(x.type)).pop();
    if (!d) return;
    const date = (iso) => P.formatDate(iso, es ? "es" : "en");
    let text = "";
    if (d.type === "order_status") {
      const status = (P.strings(es ? "es" : "en").statuses || {})[d.status] || String(d.status).replace(/_/g, " ");
      text = es ? `Hola, tu pedido ${d.order_id} está ${status}.${d.eta ? ` Llegará el ${date(d.eta)}.` : ""}${d.late ? " Lamentamos el retraso." : ""}`
        : `Hi, your order ${d.order_id} is ${status}.${d.eta ? ` It will arrive on ${date(d.eta)}.` : ""}${d.late ? " We're sorry for the delay." : ""}`;
    } else if (d.type === "reroute_executed") {
      text = es ? `Hola, enviaremos tu pedido ${d.order_id} desde ${P.nodeName(d.to_node)} para que llegue a tiempo.`
        : `Hi, we will ship your order ${d.order_id} from ${P.nodeName(d.to_node)} so it arrives on time.`;
    } else if (d.type === "reroute_proposal") {
      const best = (d.options || []).find((o) => o.option_id === d.recommended_option_id);
      if (!best) return;
      text = es ? `Hola, podemos enviar tu pedido ${d.order_id} desde ${P.nodeName(best.nodes[0])}; llegaría el ${date(best.eta)}. ¿Te parece bien?`
        : `Hi, we can ship your order ${d.order_id} from ${P.nodeName(best.nodes[0])}; it would arrive on ${date(best.eta)}. Is that all right?`;
    }
    $("draft").value = text;
    $("draft").setAttribute("lang", es ? "es" : "en");
  }

  async function search(q) {
    const results = $("results");
    results.replaceChildren(el("li", { class: "muted" }, "Searching…"));
    try {
      const matches = await client.get(`/v1/customers/search?q=${encodeURIComponent(q.trim())}`);
      const items = Array.isArray(matches) ? matches : matches.matches || [];
      const on = (m) => (m.matched_on && typeof m.matched_on === "object" ? `matched on ${m.matched_on.kind}: ${m.matched_on.value}` : m.matched_on || "");
      results.replaceChildren(...(items.length ? items.map((m) => el("li", {},
        el("button", { type: "button", "data-testid": "customer-result", onclick: () => openProfile(m.customer_id) },
          `${m.name} · `, el("span", { class: "nobr" }, m.customer_id),
          `${m.city ? " · " + m.city : ""}${on(m) ? ` (${on(m)})` : ""}`))) : [el("li", { class: "muted" }, "No customer found")]));
      if (items.length === 1) openProfile(items[0].customer_id);
    } catch (err) {
      results.replaceChildren(el("li", { class: "error" }, err.message));
    }
  }

  async function openProfile(id) {
    const box = $("profile");
    try {
      const p = await client.get(`/v1/customers/${encodeURIComponent(id)}`);
      sessionStorage.setItem(PROFILE_KEY, p.customer_id);
      customerLocale = p.locale || "es";
      box.replaceChildren(
        el("h2", { "data-testid": "profile-name" }, `${p.name} (`, el("span", { class: "nobr" }, p.customer_id), ")"),
        el("p", { class: "muted" }, [p.city, customerLocale.startsWith("es") ? "Speaks Spanish" : "Speaks English",
          `Lifetime value ${P.formatMoney(p.lifetime_value, "en")}`].filter(Boolean).join(" · ")),
        el("h3", {}, "Identities"),
        el("ul", { class: "list", "data-testid": "identities" }, (p.identities || []).map((i) => el("li", {}, `${i.kind}: ${i.value} (${i.source})`))),
        el("h3", {}, "Orders"),
        // the status sits under the order id: three columns fit the 286 px side column with
        // a five-digit MX$ total; the CSV keeps the status as a column of its own
        P.table(["order_id", "promised_date", "total"], p.orders || [], {
          csv: `${p.customer_id}-orders.csv`, csvColumns: ["order_id", "status", "promised_date", "total"],
          labels: LABELS, numeric: ["total"], caption: "Orders",
          format: (c, v, o) => (c === "total" ? P.formatMoney(v, "en") : c === "promised_date" ? shortDate(v)
            : c === "order_id" ? [v, el("span", { class: "order-status" }, statusWords(o.status))] : v ?? ""),
          onRowClick: (o) => { setOrder(o.order_id); P.copilotPane.ask(`What's the status of ${o.order_id}?`); loadAudit(o.order_id); },
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
          el("div", { class: "muted" }, `${P.formatDateTime(e.occurred_at, "en")} · ${P.principalWords(`${e.actor_role}:${e.actor_subject || ""}`, { lang: "en" })}`),
          d.note ? el("div", {}, `“${d.note}”`) : null);
      });
      $("audit").replaceChildren(el("h2", {}, `Audit trail · ${orderId}`),
        items.length ? el("ul", { class: "list" }, items) : el("p", { class: "muted" }, "Nothing recorded yet."));
    } catch (err) {
      $("audit").replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  async function loadHandoffs() {
    const box = $("handoffs");
    // the list refreshes on its own; the open ticket's detail stays as it is
    let list = $("handoff-list");
    if (!list) {
      list = el("div", { id: "handoff-list" });
      box.replaceChildren(list, el("div", { id: "handoff-detail", "data-testid": "handoff-detail" }));
    }
    try {
      const [open, claimed] = await Promise.all([client.get("/v1/handoffs?status=open"), client.get("/v1/handoffs?status=claimed")]);
      const items = [...claimed, ...open];
      list.replaceChildren(el("h2", {}, `Handoff queue (${items.length})`),
        items.length ? el("ul", { class: "list" }, items.map((h) => el("li", { "data-testid": "handoff" },
          el("button", { type: "button", "data-testid": "handoff-open", onclick: () => openHandoff(h.handoff_id) },
            el("strong", {}, `#${h.handoff_id} · ${reasonText(h.reason)}`),
            el("div", { class: "muted" }, [h.customer_id, h.order_id, P.formatDateTime(h.created_at, "en"), h.status === "claimed" ? "claimed" : "waiting"].filter(Boolean).join(" · ")),
            h.summary ? el("div", {}, h.summary) : null)))) : el("p", { class: "muted" }, "No open handoffs."));
    } catch (err) {
      list.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  async function openHandoff(id) {
    const detail = $("handoff-detail");
    try {
      const { handoff: h, messages } = await client.get(`/v1/handoffs/${id}`);
      if (h.customer_id) openProfile(h.customer_id);
      if (h.order_id) { setOrder(h.order_id); loadAudit(h.order_id); }
      const line = (m) => (m.role === "staff"
        ? el("li", { class: "msg staff", "data-testid": "transcript-staff" }, el("strong", { class: "from" }, "You (support)"), el("span", {}, m.content))
        : el("li", { class: `msg ${m.role === "user" ? "user" : "agent"}` }, m.content));
      const transcript = messages.filter((m) => ["user", "assistant", "staff"].includes(m.role) && m.content).map(line);
      const reply = el("textarea", { rows: "3", id: "handoff-reply", "data-testid": "handoff-reply" });
      const state = el("p", { class: "muted", role: "status", "data-testid": "handoff-state" }, `Status: ${h.status}`);
      const step = async (name, button) => {
        button.disabled = true;
        try {
          const updated = await client.post(`/v1/handoffs/${id}/${name}`, { note: "" });
          shown(updated);
          loadHandoffs();
        } catch (err) { button.disabled = false; state.textContent = err.message; }
      };
      const claim = el("button", { type: "button", class: "small secondary", "data-testid": "handoff-claim", disabled: h.status !== "open" }, "Claim");
      const resolve = el("button", { type: "button", class: "small secondary", "data-testid": "handoff-resolve", disabled: h.status === "closed" }, "Resolve");
      const send = el("button", { type: "button", class: "small", "data-testid": "handoff-send", disabled: h.status === "closed" }, "Send to customer");
      const shown = (updated) => {
        state.textContent = `Status: ${updated.status}`;
        claim.disabled = updated.status !== "open";
        resolve.disabled = send.disabled = updated.status === "closed";
      };
      claim.addEventListener("click", () => step("claim", claim));
      resolve.addEventListener("click", () => step("resolve", resolve));
      // the reply goes into the customer's own conversation (their widget shows it live)
      send.addEventListener("click", async () => {
        const text = reply.value.trim();
        if (!text) { state.textContent = "Write the reply first."; reply.focus(); return; }
        send.disabled = true;
        const key = (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9_-]/g, "");
        try {
          const sent = await client.post(`/v1/handoffs/${id}/reply`, { text, reply_id: key });
          let list = detail.querySelector("[data-testid=transcript]");
          if (!list) { list = el("ol", { class: "messages transcript", "data-testid": "transcript" }); detail.querySelector(".no-messages").replaceWith(list); }
          list.append(line(sent.message));
          reply.value = "";
          shown(sent.handoff);
          state.textContent = `Sent. Status: ${sent.handoff.status}`;
          loadHandoffs();
        } catch (err) { send.disabled = false; state.textContent = err.message; }
      });
      detail.replaceChildren(el("h3", {}, `Ticket #${h.handoff_id}: ${reasonText(h.reason)}`),
        el("p", {}, h.summary || ""),
        el("h4", {}, "Transcript"),
        transcript.length ? el("ol", { class: "messages transcript", "data-testid": "transcript" }, transcript) : el("p", { class: "muted no-messages" }, "No messages."),
        el("label", { for: "handoff-reply" }, "Reply to the customer (they read it in their chat)"), reply,
        el("div", { class: "row" }, send, claim, resolve), state);
    } catch (err) {
      detail.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }
})();
