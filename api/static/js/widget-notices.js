// The customer's notices (GET /v1/me/notices) in the widget conversation (issue #18): what
// happened, the new date and the options, drafted by the server in the conversation's language
// from the notice's fields; a pickup offer has a button that is the customer's consent
// (POST /v1/me/notices/{id}/accept). live.js calls Promesa.widgetNotices.refresh() when a
// notice or an order change for this customer is pushed, so a new one appears without a reload.
(function (global) {
  "use strict";
  const P = global.Promesa;
  const el = P.el;
  const OFFER = (global.PromesaEnums || {}).OfferState || {};
  const TEXT = {
    en: { from: "Notice about your order", accept: (store, day) => `Pick it up at ${store} on ${day}`,
      accepted: (store, day) => `Done: your order will be ready for pickup at ${store} on ${day}.`,
      gone: "That store can no longer hold your order. Ask me for other options.",
      failed: "We could not change your order. Please try again.", sent: (day) => `Sent ${day}` },
    es: { from: "Aviso sobre tu pedido", accept: (store, day) => `Recogerlo en ${store} el ${day}`,
      accepted: (store, day) => `Listo: tu pedido estará listo para recoger en ${store} el ${day}.`,
      gone: "Esa tienda ya no puede apartar tu pedido. Pregúntame por otras opciones.",
      failed: "No pudimos cambiar tu pedido. Inténtalo de nuevo.", sent: (day) => `Enviado el ${day}` },
  };

  class WidgetNotices {
    // options: {client, pane, lang(), scoped(), authorized()} — scoped(): a verified visitor (no
    // notices to read); authorized(): a promise that the token was accepted
    constructor(options) { this.o = options; this.shown = new Map(); this.loading = null; }
    t() { return TEXT[this.o.lang() === "es" ? "es" : "en"]; }

    // (Re)load every notice; new ones join the conversation, shown ones are redrawn in place
    // (their offer may have been answered, or the language changed).
    refresh() {
      const { client } = this.o;
      if (!client.token || this.o.scoped()) return Promise.resolve();
      const first = this.shown.size === 0 && !this.loaded;
      this.loaded = true;
      const lang = this.o.lang() === "es" ? "es" : "en";
      // after the restored transcript, so the notices sit where they belong in it
      const allowed = this.o.authorized ? this.o.authorized() : Promise.resolve(true);
      this.loading = Promise.all([this.o.pane.ready, allowed])
        .then(([, ok]) => (ok && client.token ? client.get(`/v1/me/notices?lang=${lang}`) : []))
        .then((list) => (list || []).slice().reverse().forEach((n) => this.place(n, first)))
        .catch(() => { /* an expired session is handled when the shopper writes */ });
      return this.loading;
    }

    place(n, first) {
      const node = this.render(n);
      const old = this.shown.get(n.id);
      if (old && old.isConnected) old.replaceWith(node);
      else if (first) {
        // notices sent before this visit come first, after the greeting
        const greeting = this.o.pane.messages.querySelector("[data-greeting]");
        const anchor = [...this.o.pane.messages.querySelectorAll("[data-notice-id]")].pop() || greeting;
        if (anchor) anchor.after(node); else this.o.pane.messages.prepend(node);
      } else this.o.pane.show(node);
      this.shown.set(n.id, node);
    }

    render(n) {
      const t = this.t();
      const lang = this.o.lang();
      const f = n.fields || {};
      const parts = [el("strong", { class: "from" }, `${t.from} ${n.order_id}`),
        el("span", { class: "subject", "data-testid": "notice-subject" }, n.subject),
        el("span", { "data-testid": "notice-body" }, n.body)];
      const store = f.store_name || "";
      if (n.offer === OFFER.open && store && f.pickup_ready) {
        const status = el("span", { class: "muted", role: "status", "data-testid": "notice-status" });
        const button = el("button", { type: "button", class: "small", "data-testid": "notice-accept",
          onclick: () => this.accept(n, button, status) }, t.accept(store, P.formatDate(f.pickup_ready, lang)));
        parts.push(el("div", { class: "row" }, button, status));
      } else if (n.offer === OFFER.accepted && store && f.pickup_ready) {
        // the same words as right after the tap: a reload or a pushed refresh says it again
        parts.push(el("span", { class: "muted", role: "status", "data-testid": "notice-status" },
          t.accepted(store, P.formatDate(f.pickup_ready, lang))));
      }
      parts.push(el("span", { class: "muted small" }, t.sent(P.formatDate(n.created_at, lang))));
      return el("div", { class: "msg notice", role: "group", "aria-label": `${t.from} ${n.order_id}`,
        "data-testid": "msg-notice", "data-notice-id": n.id, "data-kind": n.kind }, ...parts);
    }

    async accept(n, button, status) {
      const t = this.t();
      const lang = this.o.lang();
      button.disabled = true;
      try {
        const done = await this.o.client.post(`/v1/me/notices/${encodeURIComponent(n.id)}/accept`, {});
        button.remove();
        status.textContent = t.accepted(done.store_name, P.formatDate(done.ready_date, lang));
      } catch (err) {
        button.disabled = err && err.status === 409;
        status.textContent = err && err.status === 409 ? t.gone : t.failed;
      }
    }

    reset() { this.shown.clear(); this.loaded = false; }
  }
  P.WidgetNotices = WidgetNotices;
})(window);
