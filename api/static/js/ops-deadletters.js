// Ops console: the dead-letter list — events the API refused, in words, with replay and discard.
// A page hooks it in with one tag and one call: PromesaDeadLetters.attach(). It reads
// GET /v1/events/dead-letters with the ops token, and reloads when the live feed (live.js)
// announces a new dead letter (window event "promesa:change", kind "dead_letter").
(function (global) {
  "use strict";
  const TOKEN_KEY = "promesa.ops.token";
  const REASONS = {
    invalid_input: "The event's data is invalid",
    not_found: "It names something Promesa does not know",
    conflict: "It conflicts with the current stock or state",
    forbidden: "This source may not send this event",
  };
  const P = () => global.Promesa;

  function typeInWords(type) {
    if (!type) return "Unreadable event";
    const parts = type.replace(/^promesa\./, "").split(".");
    const version = parts.length > 2 ? ` (${parts.pop()})` : "";
    const [area, name] = parts;
    const words = (name || area || "").replace(/_/g, " ").replace(/\bpos\b/, "POS");
    return `${words.charAt(0).toUpperCase()}${words.slice(1)}${name ? ` · ${area}` : ""}${version}`;
  }

  function when(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function preview(letter) {
    const body = letter.envelope && "data" in letter.envelope ? letter.envelope.data : letter.envelope;
    const text = JSON.stringify(body);
    return text.length > 140 ? `${text.slice(0, 139)}…` : text;
  }

  function panel() {
    let box = document.querySelector("[data-testid=dead-letters]");
    if (box) return box;
    const el = P().el;
    box = el("section", { class: "panel", "data-testid": "dead-letters", "aria-labelledby": "dead-letters-title", style: "grid-column:1/-1" },
      el("div", { class: "row", style: "justify-content:space-between" },
        el("h2", { id: "dead-letters-title" }, "Rejected events (dead letters)"),
        el("span", { class: "muted", "data-testid": "dead-letters-count", "aria-live": "polite" }, "")),
      el("p", { class: "muted", "data-testid": "dead-letters-result", role: "status" }, ""),
      el("div", { class: "table-wrap", "data-testid": "dead-letters-table" }));
    // right under the capacity panel, above the live log (an ops lead reads them together)
    const host = document.getElementById("workspace") || document.querySelector("main") || document.body;
    const log = host.querySelector("[data-testid=live-feed]");
    if (log) host.insertBefore(box, log); else host.appendChild(box);
    return box;
  }

  async function call(method, path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(path, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error((data && data.error && data.error.message) || `HTTP ${response.status}`);
    return data;
  }

  function render(box, letters) {
    const el = P().el;
    const wrap = box.querySelector("[data-testid=dead-letters-table]");
    box.querySelector("[data-testid=dead-letters-count]").textContent =
      letters.length === 1 ? "1 waiting" : `${letters.length} waiting`;
    wrap.replaceChildren();
    if (!letters.length) { wrap.append(el("p", { class: "muted" }, "No rejected events are waiting.")); return; }
    const rows = letters.map((d) => el("tr", { "data-testid": "dead-letter", "data-id": d.id },
      el("td", {}, when(d.last_seen_at), d.attempts > 1 ? el("div", { class: "muted" }, `${d.attempts} attempts`) : null),
      el("td", {}, d.source),
      el("td", {}, typeInWords(d.type)),
      el("td", { style: "white-space:normal" }, el("strong", {}, REASONS[d.code] || "Rejected"),
        el("div", {}, d.reason), d.field ? el("div", { class: "muted" }, `Field: ${d.field}`) : null),
      el("td", { style: "white-space:normal;max-width:22rem" }, el("code", { "data-testid": "dead-letter-payload" }, preview(d))),
      el("td", {},
        el("button", { type: "button", class: "small", "data-testid": "dead-letter-replay", "aria-label": `Replay event ${d.event_id}`,
          onclick: () => act(box, d, "replay") }, "Replay"), " ",
        el("button", { type: "button", class: "secondary small", "data-testid": "dead-letter-discard", "aria-label": `Discard event ${d.event_id}`,
          onclick: () => act(box, d, "discard") }, "Discard"))));
    wrap.append(el("table", { class: "data" },
      el("caption", { class: "muted", style: "text-align:left" }, "Newest first. Replay applies an event again after a fix; discard closes it without applying it."),
      el("thead", {}, el("tr", {}, ["Received", "Source", "Event", "Why it was rejected", "Payload", "Actions"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)));
  }

  async function act(box, letter, action) {
    const result = box.querySelector("[data-testid=dead-letters-result]");
    try {
      const outcome = await call("POST", `/v1/events/dead-letters/${letter.id}/${action}`);
      if (action === "discard") result.textContent = `Discarded the ${typeInWords(letter.type)} event from ${letter.source}.`;
      else if (outcome.status === "rejected") result.textContent = `Replayed, still rejected: ${outcome.error ? outcome.error.reason : "unknown reason"}.`;
      else result.textContent = `Replayed: the ${typeInWords(letter.type)} event from ${letter.source} was applied.`;
    } catch (error) {
      result.textContent = `Could not ${action} it: ${error.message}`;
    }
    await load(box);
  }

  // Loads overlap (a live "dead_letter" change and a replay or discard each load the list): only
  // the latest one renders, or a list fetched before a discard could show the discarded letter.
  let loads = 0;
  async function load(box) {
    const mine = ++loads;
    try {
      const letters = await call("GET", "/v1/events/dead-letters?limit=100");
      if (mine === loads) render(box, letters);
    } catch (error) {
      box.querySelector("[data-testid=dead-letters-result]").textContent = `Could not load the dead letters: ${error.message}`;
    }
  }

  global.PromesaDeadLetters = {
    attach() {
      const start = () => {
        if (!sessionStorage.getItem(TOKEN_KEY)) { setTimeout(start, 500); return; }  // not signed in yet
        const box = panel();
        load(box);
        global.addEventListener("promesa:change", (event) => { if (event.detail && event.detail.kind === "dead_letter") load(box); });
      };
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
    },
  };
})(window);
