// The demo storefront (issue #18): each product with its delivery promise (GET /v1/promise),
// a cart, its shipment plan (POST /v1/promise/checkout) and placing the order through the
// promise path (POST /v1/promise/orders: stock and a node-day slot reserved with the promise;
// a stale quote comes back as a new date to accept). The order is then the widget's to answer
// about. The page is server-rendered (products, the signed-in customer's address); this script
// reads it from data attributes and the widget's own token.
(function () {
  "use strict";
  const P = window.Promesa;
  const el = P.el;
  const root = document.querySelector("[data-testid=storefront]");
  if (!root) return;
  const lang = root.dataset.lang === "en" ? "en" : "es";
  const token = (document.querySelector("script[data-token]") || { dataset: {} }).dataset.token || null;
  const client = new P.Client({ storageKey: "promesa.shop.token", token });
  client.setToken(token);  // a visitor after a customer: no token left behind
  const TEXT = {
    es: { add: (name) => `Agregar ${name} al carrito`, addShort: "Agregar", arrives: (d, c) => `Llega el ${d}${c ? ` con ${c}` : ""}`,
      pickup: (s, d) => `Recoge en ${s} el ${d}`, none: "Sin fechas para este código postal", checking: "Calculando fechas…",
      empty: "Tu carrito está vacío.", plan: "Ver fechas de entrega", place: "Confirmar pedido", remove: (n) => `Quitar ${n}`,
      shipment: (s, d, c) => `Sale de ${s}, llega el ${d}${c ? ` (${c})` : ""}`, latest: (d) => `Todo llega a más tardar el ${d}.`,
      shipping: (m) => `Envío: ${m}`, signIn: "Elige un cliente arriba para comprar.", placed: (id, d) => `Pedido ${id} confirmado: llega a más tardar el ${d}. Pregunta por él en el chat.`,
      requote: (d) => `Las fechas cambiaron mientras comprabas: ahora llega a más tardar el ${d}.`, acceptNew: "Aceptar la nueva fecha",
      failed: "No pudimos confirmar el pedido. Inténtalo de nuevo.", qty: (n) => `${n} pza.` },
    en: { add: (name) => `Add ${name} to the cart`, addShort: "Add", arrives: (d, c) => `Arrives ${d}${c ? ` with ${c}` : ""}`,
      pickup: (s, d) => `Pick up at ${s} on ${d}`, none: "No dates for this postal code", checking: "Working out dates…",
      empty: "Your cart is empty.", plan: "See delivery dates", place: "Place order", remove: (n) => `Remove ${n}`,
      shipment: (s, d, c) => `Leaves ${s}, arrives ${d}${c ? ` (${c})` : ""}`, latest: (d) => `Everything arrives by ${d}.`,
      shipping: (m) => `Shipping: ${m}`, signIn: "Choose a customer above to buy.", placed: (id, d) => `Order ${id} placed: it arrives by ${d}. Ask about it in the chat.`,
      requote: (d) => `The dates moved while you shopped: it now arrives by ${d}.`, acceptNew: "Accept the new date",
      failed: "We could not place the order. Please try again.", qty: (n) => `qty ${n}` },
  }[lang];
  const postal = root.dataset.postalCode || "64000";
  const cart = new Map();  // sku -> {name, quantity}
  const day = (iso) => P.formatDate(iso, lang);
  const money = (v) => P.formatMoney(v, lang);

  const served = root.dataset.served !== "no";
  async function promise(card) {
    const line = card.querySelector("[data-testid=product-promise]");
    if (!served) { line.textContent = TEXT.none; return; }
    line.textContent = TEXT.checking;
    try {
      const quote = await client.get(`/v1/promise?sku=${encodeURIComponent(card.dataset.sku)}&qty=1&postal_code=${encodeURIComponent(postal)}`);
      // the standard service: what the cart's plan (and its placement) uses, so the dates agree
      const ship = quote.options.find((o) => o.kind !== "pickup" && o.service_level === "standard")
        || quote.options.find((o) => o.kind !== "pickup");
      const pickup = quote.options.find((o) => o.kind === "pickup");
      const parts = [];
      if (ship) parts.push(el("span", { "data-testid": "promise-ship" }, TEXT.arrives(day(ship.delivery_date), ship.carrier)));
      if (pickup) parts.push(el("span", { "data-testid": "promise-pickup" }, TEXT.pickup(pickup.node_name, day(pickup.delivery_date))));
      line.replaceChildren(...(parts.length ? parts : [TEXT.none]));
    } catch (_) { line.textContent = TEXT.none; }
  }

  const cartBox = root.querySelector("[data-testid=cart]");
  const result = root.querySelector("[data-testid=checkout-result]");
  function drawCart() {
    const items = [...cart.entries()];
    const list = items.length ? el("ul", { "data-testid": "cart-lines" }, items.map(([sku, item]) =>
      el("li", { "data-testid": "cart-line" }, `${item.name} · ${TEXT.qty(item.quantity)} `,
        el("button", { type: "button", class: "secondary small", "aria-label": TEXT.remove(item.name),
          onclick: () => { cart.delete(sku); drawCart(); } }, "×")))) : el("p", { class: "muted" }, TEXT.empty);
    const planBtn = el("button", { type: "button", "data-testid": "checkout-plan", disabled: !items.length || !served, onclick: plan }, TEXT.plan);
    cartBox.replaceChildren(list, planBtn);
  }

  const lines = () => [...cart.entries()].map(([sku, item]) => ({ sku, quantity: item.quantity }));
  function showPlan(p, heading) {
    const rows = p.shipments.map((s) => el("li", { "data-testid": "plan-shipment" }, TEXT.shipment(s.node_name, day(s.delivery_date), s.carrier)));
    return [heading ? el("p", { role: "alert" }, heading) : null, el("ul", {}, rows),
      el("p", { "data-testid": "plan-latest" }, TEXT.latest(day(p.latest_delivery))),
      el("p", { class: "muted" }, TEXT.shipping(money(p.total_shipping_mxn)))].filter(Boolean);  // no "null" text
  }

  async function plan() {
    result.textContent = TEXT.checking;
    try {
      const p = await client.post("/v1/promise/checkout", { lines: lines(), postal_code: postal });
      const place = el("button", { type: "button", "data-testid": "checkout-place", disabled: !token || !root.dataset.shipTo,
        onclick: () => order(p, place) }, TEXT.place);
      result.replaceChildren(...showPlan(p), token ? place : el("p", { class: "muted" }, TEXT.signIn));
    } catch (_) { result.textContent = TEXT.none; }
  }

  async function order(p, button) {
    button.disabled = true;
    const key = `shop-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    try {
      const done = await client.post("/v1/promise/orders", { lines: lines(), postal_code: postal, ship_to_id: root.dataset.shipTo,
        accepted_delivery_date: p.latest_delivery, idempotency_key: key });
      if (done.status === "requote" && done.plan) {
        const again = el("button", { type: "button", "data-testid": "checkout-accept-new", onclick: () => order(done.plan, again) }, TEXT.acceptNew);
        result.replaceChildren(...showPlan(done.plan, TEXT.requote(day(done.plan.latest_delivery))), again);
        return;
      }
      cart.clear();
      drawCart();
      result.replaceChildren(el("p", { role: "status", "data-testid": "checkout-placed" }, TEXT.placed(done.order_id, day(done.promised_date))));
    } catch (_) {
      button.disabled = false;
      result.replaceChildren(el("p", { role: "alert" }, TEXT.failed));
    }
  }

  root.querySelectorAll("[data-testid=product]").forEach((card) => {
    const name = card.dataset.name;
    card.querySelector("[data-testid=product-add]").addEventListener("click", () => {
      const item = cart.get(card.dataset.sku) || { name, quantity: 0 };
      item.quantity += 1;
      cart.set(card.dataset.sku, item);
      drawCart();
    });
    promise(card);
  });
  drawCart();
})();
