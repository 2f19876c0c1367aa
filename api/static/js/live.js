// Live changes: reads GET /v1/live (server-sent events over fetch, so the bearer token goes in a
// header) and refreshes what the open surface shows when a relevant event lands — no reload.
// Each page hooks in with one tag and one call: PromesaLive.attach("ops" | "copilot" | "widget").
// It only uses the pages' public DOM (ids and data-testids), so it survives their rework.
(function (global) {
  "use strict";
  const TOKEN_KEYS = { ops: "promesa.ops.token", copilot: "promesa.copilot.token", widget: "promesa.widget.token" };

  function frames(text, onFrame) {
    let cut;
    while ((cut = text.indexOf("\n\n")) >= 0) {
      const frame = text.slice(0, cut);
      text = text.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) {
        try { onFrame(event, JSON.parse(data.join("\n"))); } catch (_) { /* not JSON: ignore */ }
      }
    }
    return text;
  }

  function describe(c) {
    if (c.kind === "inventory") return `${c.node_id} · ${c.sku}: on hand ${c.on_hand}, ATP ${c.atp}`;
    if (c.kind === "order") return `${c.id}: ${c.status}${c.tracking ? ` (${c.tracking})` : ""}`;
    if (c.kind === "capacity") return `${c.node_id} ${c.day}: capacity ${c.orders} orders`;
    if (c.kind === "node") return `${c.id}: ${c.active ? "open" : "closed"}`;
    if (c.kind === "handoff") return `Ticket #${c.id}: ${c.status === "open" ? "waiting for a person" : c.status}`;
    if (c.kind === "reply") return `Ticket #${c.handoff_id}: reply sent to the customer`;
    if (c.kind === "dead_letter") return `Rejected event from ${c.source}: ${c.reason}`;
    if (c.kind === "notice") return `${c.order_id}: notice drafted for the customer`;
    return `${c.kind} ${c.id}`;
  }

  function panel() {
    let box = document.querySelector("[data-testid=live-feed]");
    if (box) return box;
    box = document.createElement("section");
    box.setAttribute("data-testid", "live-feed");
    box.setAttribute("aria-live", "polite");
    box.className = "live-feed";
    box.innerHTML = '<h2>Live <span data-testid="live-status">connecting…</span></h2><ul data-testid="live-changes"></ul>';
    // a status pill in the page's top bar (the latest change beside it), not a stray block
    // under the page's columns
    const bar = document.querySelector("header.topbar");
    if (bar) bar.insertBefore(box, bar.querySelector("nav")); else (document.querySelector("main") || document.body).appendChild(box);
    return box;
  }

  const refreshers = {
    ops(change) {
      // the heatmap and its at-risk orders follow stock, capacity, node and order changes
      // (not people's tickets and replies)
      if (change.kind === "handoff" || change.kind === "reply") return;
      const button = document.getElementById("refresh-risk");
      if (button) { button.click(); document.body.dataset.liveRefreshes = String(Number(document.body.dataset.liveRefreshes || 0) + 1); }
    },
    copilot(change) {
      // the handoff queue follows every ticket queued, claimed or resolved, by anyone
      if (change.kind === "handoff" || change.kind === "reply") {
        if (global.Promesa && global.Promesa.copilotRefreshHandoffs) global.Promesa.copilotRefreshHandoffs(change);
        return;
      }
      // re-read the open profile when the change is about that customer (or any stock it may
      // hold), by id: searching for the id found no one (the search reads identifiers, not
      // ids), so the profile never moved
      const name = document.querySelector("[data-testid=profile-name]");
      const open = name && (name.textContent.match(/\(([^)]+)\)\s*$/) || [])[1];
      if (!open || (change.customer_id && change.customer_id !== open)) return;
      if (global.Promesa && global.Promesa.copilotOpenProfile) global.Promesa.copilotOpenProfile(open);
    },
    widget(change) {
      // a person's reply into this very conversation (the feed sends only the owner's replies)
      const pane = global.Promesa && global.Promesa.widgetPane;
      if (change.kind === "reply" && pane && pane.threadId === change.thread_id) { pane.staff(change); return; }
      // a notice drafted for this customer, or an order of theirs that moved: the conversation's
      // notices follow (a new one joins it, an answered offer loses its button)
      const notices = global.Promesa && global.Promesa.widgetNotices;
      if (notices && (change.kind === "notice" || change.kind === "order")) notices.refresh();
      if (change.kind !== "order") return;
      document.querySelectorAll("[data-testid=card-order-status]").forEach((card) => {
        if (!card.textContent.includes(change.id)) return;
        let line = card.querySelector("[data-testid=card-live-status]");
        if (!line) { line = document.createElement("p"); line.setAttribute("data-testid", "card-live-status"); card.appendChild(line); }
        line.textContent = `Now: ${change.status.replace(/_/g, " ")}`;
        card.dataset.liveStatus = change.status;
      });
    },
  };

  async function connect(surface, box, attempt) {
    const token = sessionStorage.getItem(TOKEN_KEYS[surface]);
    const status = box.querySelector("[data-testid=live-status]");
    if (!token) { setTimeout(() => connect(surface, box, attempt), 500); return; }  // not signed in yet
    try {
      const response = await fetch("/v1/live", { headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = frames(buffer + decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n"), (event, data) => {
          if (event === "ready") { status.textContent = "connected"; box.dataset.state = "connected"; attempt = 0; }
          if (event !== "change") return;
          const item = document.createElement("li");
          item.setAttribute("data-testid", "live-change");
          item.textContent = describe(data);
          box.querySelector("ul").prepend(item);
          while (box.querySelectorAll("li").length > 20) box.querySelector("li:last-child").remove();
          // other modules of the page (the ops dead-letter panel) follow the feed through this
          global.dispatchEvent(new CustomEvent("promesa:change", { detail: data }));
          if (data.kind !== "dead_letter") refreshers[surface](data);
        });
      }
    } catch (_) { /* dropped or refused: retry below */ }
    status.textContent = "reconnecting…";
    box.dataset.state = "reconnecting";
    setTimeout(() => connect(surface, box, attempt + 1), Math.min(10000, 500 * 2 ** attempt));
  }

  global.PromesaLive = {
    attach(surface) {
      if (!refreshers[surface]) throw new Error(`unknown surface ${surface}`);
      const start = () => { const box = panel(); box.hidden = surface === "widget"; connect(surface, box, 0); };
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
    },
  };
})(window);
