// Promesa browser client: token storage, JSON calls, streamed chat over POST + SSE, CSV export.
// Shared by the widget, the copilot and the ops console. No build step, no external loads.
(function (global) {
  "use strict";

  const Promesa = (global.Promesa = global.Promesa || {});

  Promesa.el = function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  class ApiError extends Error {
    constructor(status, body) {
      const err = (body && body.error) || {};
      super(err.message || `HTTP ${status}`);
      this.status = status;
      this.code = err.code || "http_error";
      this.field = err.field || null;
    }
  }
  Promesa.ApiError = ApiError;

  class Client {
    constructor(options) {
      this.base = (options && options.base) || "";
      this.storageKey = (options && options.storageKey) || "promesa.token";
      this.token = (options && options.token) || sessionStorage.getItem(this.storageKey) || null;
    }
    setToken(token) {
      this.token = token;
      if (token) sessionStorage.setItem(this.storageKey, token);
      else sessionStorage.removeItem(this.storageKey);
    }
    headers(extra) {
      const headers = Object.assign({ "Content-Type": "application/json" }, extra || {});
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
      return headers;
    }
    async json(method, path, body) {
      const response = await fetch(this.base + path, {
        method,
        headers: this.headers(),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const data = text ? JSON.parse(text) : null;
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    }
    get(path) { return this.json("GET", path); }
    post(path, body) { return this.json("POST", path, body || {}); }

    // POST a chat turn and read the server-sent events as they arrive.
    // handlers by TURN_EVENTS name: {token(obj), tool_call(obj), tool_result(obj), decision(obj),
    // interrupt(obj), error(obj), done(obj)}
    async streamChat(body, handlers) {
      const response = await fetch(this.base + "/v1/chat", {
        method: "POST",
        headers: this.headers({ Accept: "text/event-stream" }),
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        let data = null;
        try { data = await response.json(); } catch (_) { /* not JSON */ }
        throw new ApiError(response.status, data);
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          dispatch(buffer.slice(0, cut), handlers);
          buffer = buffer.slice(cut + 2);
        }
      }
      if (buffer.trim()) dispatch(buffer, handlers);
    }
  }
  Promesa.Client = Client;

  // The turn stream's event names: agent/contract.py EventType, documented in OpenAPI as the
  // TurnEvent component. A frame's `event:` is one of these; its `data:` is that event's payload.
  const TURN_EVENTS = Object.freeze({
    token: "token", tool_call: "tool_call", tool_result: "tool_result", decision: "decision",
    interrupt: "interrupt", error: "error", done: "done",
  });
  Promesa.TURN_EVENTS = TURN_EVENTS;

  function dispatch(frame, handlers) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) continue;
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (!data.length || !Object.hasOwn(TURN_EVENTS, event)) return;
    let payload = data.join("\n");
    try { payload = JSON.parse(payload); } catch (_) { /* plain text */ }
    const handler = handlers[event];
    if (handler) handler(payload);
  }

  // Dates: the API sends ISO dates; people read them in their language.
  Promesa.formatDate = function formatDate(iso, lang) {
    if (!iso) return "";
    const date = new Date(iso.length === 10 ? iso + "T12:00:00" : iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    return date.toLocaleDateString(lang === "es" ? "es-MX" : "en-US", {
      weekday: "long", month: "long", day: "numeric",
    });
  };
  Promesa.formatDateTime = function formatDateTime(iso, lang) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    return date.toLocaleString(lang === "es" ? "es-MX" : "en-US", {
      month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
  };
  Promesa.formatMoney = function formatMoney(value, lang) {
    const number = Number(value);
    if (Number.isNaN(number)) return String(value);
    return number.toLocaleString(lang === "es" ? "es-MX" : "en-US", { style: "currency", currency: "MXN" });
  };

  // CSV export of any table the pages show.
  Promesa.toCsv = function toCsv(columns, rows) {
    const quote = (v) => {
      const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return [columns.map(quote).join(",")].concat(rows.map((r) => columns.map((c) => quote(r[c])).join(","))).join("\n");
  };
  Promesa.downloadCsv = function downloadCsv(filename, columns, rows) {
    const blob = new Blob([Promesa.toCsv(columns, rows)], { type: "text/csv;charset=utf-8" });
    const link = Promesa.el("a", { href: URL.createObjectURL(blob), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
  };

  // A table element from rows of objects, with an optional CSV button (of ``csvColumns`` when
  // the CSV holds more columns than are shown).
  Promesa.table = function table(columns, rows, options) {
    const opts = options || {};
    // numeric columns (amounts) are right-aligned and never split across lines
    const cls = (c) => ((opts.numeric || []).includes(c) ? { class: "num" } : {});
    const head = Promesa.el("tr", {}, columns.map((c) => Promesa.el("th", { scope: "col", ...cls(c) }, (opts.labels && opts.labels[c]) || c)));
    const body = rows.map((r) => Promesa.el("tr", opts.onRowClick ? { tabindex: "0", class: "clickable" } : {},
      columns.map((c) => Promesa.el("td", cls(c), opts.format ? opts.format(c, r[c], r) : r[c] === null || r[c] === undefined ? "" : String(r[c])))));
    if (opts.onRowClick) body.forEach((tr, i) => {
      tr.addEventListener("click", () => opts.onRowClick(rows[i]));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") opts.onRowClick(rows[i]); });
    });
    const wrapper = Promesa.el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": opts.caption || "Table" },
      Promesa.el("table", { class: "data" }, Promesa.el("thead", {}, head), Promesa.el("tbody", {}, body)));
    if (opts.csv) {
      wrapper.prepend(Promesa.el("button", { class: "secondary small", type: "button", "data-testid": "csv-export",
        onclick: () => Promesa.downloadCsv(opts.csv, opts.csvColumns || columns, rows) }, "CSV"));
    }
    return wrapper;
  };
})(window);
