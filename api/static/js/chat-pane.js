// A chat pane over POST /v1/chat with streamed tokens and decision cards. Used by the widget
// (customers) and the copilot (support agents); the ops console uses it for its ask box.
(function (global) {
  "use strict";
  const P = global.Promesa;
  const el = P.el;
  // Identifiers (PO-1000397, DC-GDL-01, C-100096) must not break at their hyphens: a bubble read
  // "PO-" at a line's end and "1000397" on the next in the ops console's screenshot.
  const IDENTIFIER = /[A-Z]{1,6}(?:-[A-Z0-9]+)+/g;
  function writeText(node, text) {
    const parts = [];
    let last = 0;
    for (const m of (text || "").matchAll(IDENTIFIER)) {
      if (m.index > last) parts.push(document.createTextNode(text.slice(last, m.index)));
      parts.push(el("span", { class: "nobr" }, m[0]));
      last = m.index + m[0].length;
    }
    if (last < (text || "").length) parts.push(document.createTextNode(text.slice(last)));
    node.replaceChildren(...parts);
  }

  // What a person reads when a turn fails: never "Failed to fetch" or a bearer-token message.
  const ERRORS = {
    en: { offline: "You seem to be offline. Check your connection and try again.", retry: "Try again",
      auth: "Please verify your order first, or sign in again.", reverify: "Verify again",
      busy: "Too many messages in a short time. Please wait a minute and try again.",
      tooLong: (n) => `That message is too long (${n} characters). Please keep it under ${n} characters.`,
      server: "Something went wrong on our side. Please try again.", typing: "Typing…",
      pending: "First approve or reject the change above; then I can go on.",
      left: (n) => `${n} characters left` },
    es: { offline: "Parece que no tienes conexión. Revísala e inténtalo de nuevo.", retry: "Reintentar",
      auth: "Primero verifica tu pedido o vuelve a iniciar sesión.", reverify: "Verificar de nuevo",
      busy: "Demasiados mensajes en poco tiempo. Espera un minuto e inténtalo de nuevo.",
      tooLong: (n) => `Ese mensaje es demasiado largo. Escribe menos de ${n} caracteres.`,
      server: "Algo salió mal de nuestro lado. Inténtalo de nuevo.", typing: "Escribiendo…",
      pending: "Primero aprueba o rechaza el cambio de arriba; después sigo contigo.",
      left: (n) => `Te quedan ${n} caracteres` },
  };
  const MAX_CHARS = 4000;
  P.chatErrors = (lang) => ERRORS[lang === "es" ? "es" : "en"];

  class ChatPane {
    // options: {client, root, lang(), audience, onDecision(d), onToolCall({name, args}), showCard(d), onTurnDone(result),
    //           onAuthError(), placeholder, storageKey, chooseAny, showReason}
    constructor(options) {
      this.o = options;
      this.client = options.client;
      this.threadKey = options.storageKey || "promesa.thread";
      this.logKey = `${this.threadKey}.log`;
      this.threadId = sessionStorage.getItem(this.threadKey) || null;
      this.messages = el("div", { class: "messages", role: "log", "aria-live": "polite", "data-testid": "messages", tabindex: "0",
        "aria-label": options.placeholder || "Messages" });
      this.input = el("input", { type: "text", "aria-label": options.placeholder || "Message", placeholder: options.placeholder || "",
        "data-testid": "chat-input" });
      this.counter = el("p", { class: "muted small counter", "data-testid": "chat-counter", "aria-live": "polite" });
      this.input.addEventListener("input", () => {
        const left = MAX_CHARS - this.input.value.length;
        // no maxlength: a pasted long text is never cut silently, the counter says it is too long
        this.counter.textContent = left < 0 ? P.chatErrors(this.lang()).tooLong(MAX_CHARS)
          : left < 200 ? P.chatErrors(this.lang()).left(left) : "";
      });
      this.send = el("button", { type: "submit", "data-testid": "chat-send" }, options.sendLabel || "Send");
      const form = el("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.ask(this.input.value); } }, this.input, this.send);
      this.extras = el("div", { class: "quick-replies", "data-testid": "quick-replies" });
      options.root.append(el("div", { class: "chat" }, this.messages, this.extras, form, this.counter));
      this.restored = this.log().length > 0;
      // replayed cards name stores: wait for the store directory (it is small and local)
      this.ready = (P.storesReady || Promise.resolve()).then(() => this.restore());
    }
    lang() { return this.o.lang ? this.o.lang() : "en"; }
    setPlaceholder(text, sendLabel) { this.input.placeholder = text; this.input.setAttribute("aria-label", text); if (sendLabel) this.send.textContent = sendLabel; }

    // The transcript lives in sessionStorage next to the thread id, so a reload shows the same
    // conversation (texts and cards) and the next message continues the same thread.
    log() { try { return JSON.parse(sessionStorage.getItem(this.logKey) || "[]"); } catch (_) { return []; } }
    remember(entry) {
      const entries = this.log();
      entries.push(entry);
      try { sessionStorage.setItem(this.logKey, JSON.stringify(entries.slice(-200))); } catch (_) { /* storage full */ }
    }
    restore() {
      this.restoring = true;
      for (const entry of this.log()) {
        if (entry.kind === "decision") this.decision(entry.d, { replay: true });
        else if (entry.kind === "staff") this.staff(entry, { replay: true });
        else this.bubble(entry.kind, entry.text, { replay: true });
      }
      this.restoring = false;
    }
    bubble(kind, text, opts) {
      const node = el("div", { class: `msg ${kind}`, "data-testid": `msg-${kind}` });
      writeText(node, text);
      this.messages.append(node);
      this.messages.scrollTop = this.messages.scrollHeight;
      if (!(opts && opts.replay) && text && kind !== "error") this.remember({ kind, text });
      return node;
    }
    // A reply a person on the team wrote into this conversation (pushed live, kept for reload).
    staff(reply, opts) {
      if (reply.id && this.messages.querySelector(`[data-reply-id="${CSS.escape(reply.id)}"]`)) return null;  // pushed twice
      const who = this.lang() === "es" ? "Equipo de soporte" : "Support team";
      const node = el("div", { class: "msg staff", "data-testid": "msg-staff", "data-reply-id": reply.id || "" },
        el("strong", { class: "from" }, who), el("span", {}, reply.text));
      this.messages.append(node);
      this.messages.scrollTop = this.messages.scrollHeight;
      if (!(opts && opts.replay)) this.remember({ kind: "staff", id: reply.id, text: reply.text });
      return node;
    }
    show(node) { if (node) { this.messages.append(node); this.messages.scrollTop = this.messages.scrollHeight; } }
    reset() {
      this.threadId = null;
      sessionStorage.removeItem(this.threadKey);
      sessionStorage.removeItem(this.logKey);
      this.messages.replaceChildren();
      if (this.o.onReset) this.o.onReset();
    }
    ctx() {
      return { lang: this.lang(), chooseAny: this.o.chooseAny, audience: this.o.audience,
        onChoose: this.o.onChoose ? (option, d) => this.o.onChoose(option, d, this) : null };
    }
    decision(d, opts) {
      if (!(opts && opts.replay)) this.remember({ kind: "decision", d });
      // a surface may show some decisions elsewhere (the ops console's table and chart)
      if (!this.o.showCard || this.o.showCard(d)) this.show(P.renderDecision(d, this.ctx()));
      if (this.o.onDecision) this.o.onDecision(d, opts || {});
    }
    pending(p) {
      this.show(P.renderApproval(p, { lang: this.lang(), audience: this.o.audience, showReason: this.o.showReason,
        onDecide: (approve, reason) => this.decide(approve, reason) }));
    }
    setBusy(busy) {
      this.send.disabled = busy; this.input.disabled = busy;
      this.messages.setAttribute("aria-busy", String(busy));
      if (!busy) this.input.focus();
    }
    // A friendly error bubble with the action that helps: retry, or verify again.
    failure(node, err, retry) {
      const t = P.chatErrors(this.lang());
      const status = err && err.status;
      let text = t.server;
      let action = null;
      if (!status) { text = t.offline; action = el("button", { type: "button", class: "small", "data-testid": "retry", onclick: (e) => { e.target.closest(".msg").remove(); retry(); } }, t.retry); }
      else if (status === 401) {
        text = t.auth;
        if (this.o.onAuthError) action = el("button", { type: "button", class: "small", "data-testid": "reverify", onclick: () => this.o.onAuthError() }, t.reverify);
      } else if (status === 429) text = t.busy;
      else if (status === 409 || (err && err.code === "conflict")) text = t.pending;  // an approval waits on this thread
      else if (status === 413 || (status === 422 && err.field === "message")) text = t.tooLong(MAX_CHARS);
      else if (status < 500 && err.message) text = err.message;
      else action = el("button", { type: "button", class: "small", "data-testid": "retry", onclick: (e) => { e.target.closest(".msg").remove(); retry(); } }, t.retry);
      node.classList.remove("typing");
      node.classList.add("error");
      node.setAttribute("data-testid", "msg-error");
      node.setAttribute("role", "alert");
      // replaceChildren writes a null as the text "null": only the parts there are
      node.replaceChildren(...[el("span", {}, text), action ? " " : null, action].filter(Boolean));
      this.messages.scrollTop = this.messages.scrollHeight;  // the error is the latest thing to read
      if (status === 401 && this.o.onAuthError) this.o.onAuthError({ silent: true });
    }
    async ask(text, opts) {
      text = (text || "").trim();
      if (!text) return;
      if (text.length > MAX_CHARS) {
        this.counter.textContent = P.chatErrors(this.lang()).tooLong(MAX_CHARS);
        this.counter.setAttribute("role", "alert");
        return;
      }
      this.input.value = "";
      this.counter.textContent = "";
      this.extras.replaceChildren();
      if (!(opts && opts.retry)) this.bubble("user", text);
      const answer = el("div", { class: "msg agent typing", "data-testid": "msg-agent" },
        el("span", { class: "dots", "aria-label": P.chatErrors(this.lang()).typing, role: "status" }, el("i"), el("i"), el("i")));
      this.show(answer);
      this.setBusy(true);
      let streamed = "";
      let failed = false;
      try {
        await this.client.streamChat({ thread_id: this.threadId, message: text }, {
          token: (t) => {
            streamed += typeof t === "string" ? t : t.text || "";
            answer.classList.remove("typing");
            writeText(answer, streamed);
            this.messages.scrollTop = this.messages.scrollHeight;
          },
          decision: (d) => this.decision(d),
          tool_call: (c) => { if (this.o.onToolCall) this.o.onToolCall(c); },
          interrupt: (p) => this.pending(p),
          done: (r) => this.finish(r, answer, streamed),
          error: (e) => { failed = true; this.failure(answer, { status: (e && e.status) || (e && e.code === "conflict" ? 409 : 500), code: e && e.code, message: e && e.message }, () => this.ask(text, { retry: true })); },
        });
      } catch (err) {
        failed = true;
        this.failure(answer, err, () => this.ask(text, { retry: true }));
      } finally {
        if (!failed && answer.classList.contains("typing")) answer.remove();
        this.setBusy(false);
      }
    }
    finish(result, answer, streamed) {
      if (result && result.thread_id) { this.threadId = result.thread_id; sessionStorage.setItem(this.threadKey, this.threadId); }
      const text = (result && result.text) || streamed;
      if (text) { answer.classList.remove("typing"); writeText(answer, text); this.remember({ kind: "agent", text }); }
      if (this.o.onTurnDone) this.o.onTurnDone(result || {});
    }
    async decide(approve, reason) {
      if (!this.threadId) return false;
      this.setBusy(true);
      try {
        const result = await this.client.post(`/v1/approvals/${encodeURIComponent(this.threadId)}`, { approve, reason: reason || null });
        if (result.text) this.bubble("agent", result.text);
        (result.decisions || []).forEach((d) => this.decision(d));
        if (result.pending_approval) this.pending(result.pending_approval);
        if (this.o.onTurnDone) this.o.onTurnDone(result);
        return true;
      } catch (err) {
        this.failure(this.bubble("agent", ""), err, () => this.decide(approve, reason));
        return false;
      } finally {
        this.setBusy(false);
      }
    }
  }
  P.ChatPane = ChatPane;
})(window);
