// A chat pane over POST /v1/chat with streamed tokens and decision cards. Used by the widget
// (customers) and the copilot (support agents); the ops console uses it for its ask box.
(function (global) {
  "use strict";
  const P = global.Promesa;
  const el = P.el;

  class ChatPane {
    // options: {client, root, lang(), onDecision(d), showCard(d), onTurnDone(result), placeholder, storageKey, chooseAny}
    constructor(options) {
      this.o = options;
      this.client = options.client;
      this.threadKey = options.storageKey || "promesa.thread";
      this.threadId = sessionStorage.getItem(this.threadKey) || null;
      this.messages = el("div", { class: "messages", role: "log", "aria-live": "polite", "data-testid": "messages" });
      this.input = el("input", { type: "text", "aria-label": options.placeholder || "Message", placeholder: options.placeholder || "",
        maxlength: "4000", "data-testid": "chat-input" });
      this.send = el("button", { type: "submit", "data-testid": "chat-send" }, options.sendLabel || "Send");
      const form = el("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.ask(this.input.value); } }, this.input, this.send);
      options.root.append(el("div", { class: "chat" }, this.messages, form));
    }
    lang() { return this.o.lang ? this.o.lang() : "en"; }
    setPlaceholder(text, sendLabel) { this.input.placeholder = text; this.input.setAttribute("aria-label", text); if (sendLabel) this.send.textContent = sendLabel; }
    bubble(kind, text) {
      const node = el("div", { class: `msg ${kind}`, "data-testid": `msg-${kind}` }, text || "");
      this.messages.append(node);
      this.messages.scrollTop = this.messages.scrollHeight;
      return node;
    }
    show(node) { if (node) { this.messages.append(node); this.messages.scrollTop = this.messages.scrollHeight; } }
    reset() { this.threadId = null; sessionStorage.removeItem(this.threadKey); this.messages.replaceChildren(); }
    ctx() {
      return { lang: this.lang(), chooseAny: this.o.chooseAny,
        onChoose: this.o.onChoose ? (option, d) => this.o.onChoose(option, d, this) : null };
    }
    decision(d) {
      // a surface may show some decisions elsewhere (the ops console's table and chart)
      if (!this.o.showCard || this.o.showCard(d)) this.show(P.renderDecision(d, this.ctx()));
      if (this.o.onDecision) this.o.onDecision(d);
    }
    pending(p) {
      this.show(P.renderApproval(p, { lang: this.lang(), showReason: this.o.showReason,
        onDecide: (approve, reason) => this.decide(approve, reason) }));
    }
    setBusy(busy) { this.send.disabled = busy; this.input.disabled = busy; if (!busy) this.input.focus(); }
    async ask(text) {
      text = (text || "").trim();
      if (!text) return;
      this.input.value = "";
      this.bubble("user", text);
      const answer = this.bubble("agent", "");
      this.setBusy(true);
      let streamed = "";
      try {
        await this.client.streamChat({ thread_id: this.threadId, message: text }, {
          token: (t) => { streamed += typeof t === "string" ? t : t.text || ""; answer.textContent = streamed; },
          decision: (d) => this.decision(d),
          interrupt: (p) => this.pending(p),
          done: (r) => this.finish(r, answer, streamed),
          error: (e) => { answer.classList.add("error"); answer.textContent = (e && e.message) || "Error"; },
        });
      } catch (err) {
        answer.classList.add("error");
        answer.textContent = err.message;
      } finally {
        this.setBusy(false);
      }
    }
    finish(result, answer, streamed) {
      if (result && result.thread_id) { this.threadId = result.thread_id; sessionStorage.setItem(this.threadKey, this.threadId); }
      if (result && result.text && !streamed) answer.textContent = result.text;
      if (this.o.onTurnDone) this.o.onTurnDone(result || {});
    }
    async decide(approve, reason) {
      if (!this.threadId) return;
      this.setBusy(true);
      try {
        const result = await this.client.post(`/v1/approvals/${encodeURIComponent(this.threadId)}`, { approve, reason: reason || null });
        this.bubble("agent", result.text || "");
        (result.decisions || []).forEach((d) => this.decision(d));
        if (result.pending_approval) this.pending(result.pending_approval);
        if (this.o.onTurnDone) this.o.onTurnDone(result);
      } catch (err) {
        this.bubble("agent", err.message).classList.add("error");
      } finally {
        this.setBusy(false);
      }
    }
  }
  P.ChatPane = ChatPane;
})(window);
