// Cards for the self-service decisions (issue #14): cancellation, address change, return (RMA),
// exchange, refund status and claims/complaints, each as a proposal and as a result. cards.js
// hands every type it does not know to P.renderActionDecision. Text comes from the decision
// records (domain code), never from the model; refusals are said from their stable code.
(function (global) {
  "use strict";
  const P = global.Promesa;
  const el = P.el;

  const S = {
    en: {
      cancelProposal: "Cancellation", cancelled: "Order cancelled", partCancelled: "Lines cancelled",
      addressProposal: "New delivery address", addressChanged: "Delivery address changed",
      returnProposal: "Return", returnStarted: "Return started", exchangeProposal: "Exchange",
      exchangeCreated: "Exchange on its way", refunds: "Refunds", claimProposal: "Claim", caseOpened: "Case opened",
      complaint: "Complaint filed", order: "Order", lines: "Lines", line: "Line", wholeOrder: "Whole order",
      refund: "Refund", method: "Refund to", by: "Expected by", state: "Status", total: "Total",
      eta: "Arrives", promise: "Promised date", newPromise: "New promised date", keepsPromise: "Keeps the promise",
      newDate: "New promise", canDo: "Possible", cannot: "Not possible", rma: "Return label (RMA)",
      returnHow: "How", dropoff: "Drop off at", carrierPickup: "The carrier picks it up", seller: "Refunded by",
      from: "Ships from", to: "New item", replacement: "Replacement order", kind: "What happened",
      resolution: "What we do", needsStaff: "A person from our team takes it", missing: "We still need",
      caseId: "Case", noRefunds: "No refunds yet.", confirmedByYou: "Confirmed by you", approvedByStaff: "Approved by our team",
      approvedBy: "Approved by", city: "City",
      methods: { original_payment: "original payment method", store_credit: "store credit" },
      states: { pending: "pending", issued: "issued", completed: "completed", failed: "failed", open: "open",
        escalated: "with a person", resolved: "resolved", closed: "closed" },
      kinds: { damaged: "arrived damaged", missing_item: "item missing", not_arrived: "never arrived", complaint: "complaint" },
      resolutions: { reship: "we send it again", refund: "we refund it", investigation: "we investigate with the carrier",
        staff_review: "our team reviews it" },
      facts: { photos: "photos of the package and the item", line_nos: "which items", description: "what happened" },
      why: {
        line_picked: "already being prepared: refuse the delivery or return it once it arrives",
        line_shipped: "already shipped: refuse the delivery or return it once it arrives",
        line_delivered: "already delivered: start a return instead",
        already_cancelled: "already cancelled", order_cancelled: "the order is already cancelled",
        already_shipped: "already shipped", pickup_order: "a store pickup has no delivery address",
        nothing_open: "nothing left to deliver", node_cannot_ship: "its store can't ship there",
        not_delivered: "not delivered yet", no_delivery_date: "no delivery date to count from",
        damaged_is_a_claim: "arrived damaged: that is a claim", category_excluded: "this category can't be returned",
        item_used: "used items can't be returned", window_closed: "the return window has closed",
        already_returned: "already returned", refunded_in_full: "already refunded in full",
        too_early: "still within its delivery time", not_shipped: "not shipped yet",
        claim_window_closed: "the time to report it has passed", no_delivery_scan: "no delivery scan to review",
        not_a_variant: "not another size or colour of the same item", price_higher: "the new variant costs more",
        out_of_stock: "that variant is out of stock" },
    },
    es: {
      cancelProposal: "Cancelación", cancelled: "Pedido cancelado", partCancelled: "Líneas canceladas",
      addressProposal: "Nueva dirección de entrega", addressChanged: "Dirección de entrega cambiada",
      returnProposal: "Devolución", returnStarted: "Devolución iniciada", exchangeProposal: "Cambio",
      exchangeCreated: "Cambio en camino", refunds: "Reembolsos", claimProposal: "Reclamo", caseOpened: "Caso abierto",
      complaint: "Queja registrada", order: "Pedido", lines: "Líneas", line: "Línea", wholeOrder: "Todo el pedido",
      refund: "Reembolso", method: "Se devuelve a", by: "A más tardar", state: "Estado", total: "Total",
      eta: "Llega", promise: "Fecha prometida", newPromise: "Nueva fecha prometida", keepsPromise: "Cumple la promesa",
      newDate: "Nueva promesa", canDo: "Posible", cannot: "No es posible", rma: "Etiqueta de devolución (RMA)",
      returnHow: "Cómo", dropoff: "Entrégalo en", carrierPickup: "La paquetería pasa por él", seller: "Reembolsa",
      from: "Sale de", to: "Artículo nuevo", replacement: "Pedido de reposición", kind: "Qué pasó",
      resolution: "Qué hacemos", needsStaff: "Lo atiende una persona de nuestro equipo", missing: "Aún necesitamos",
      caseId: "Caso", noRefunds: "Aún no hay reembolsos.", confirmedByYou: "Confirmado por ti", approvedByStaff: "Aprobado por nuestro equipo",
      approvedBy: "Aprobado por", city: "Ciudad",
      methods: { original_payment: "tu método de pago original", store_credit: "saldo en tienda" },
      states: { pending: "pendiente", issued: "emitido", completed: "completado", failed: "fallido", open: "abierto",
        escalated: "con una persona", resolved: "resuelto", closed: "cerrado" },
      kinds: { damaged: "llegó dañado", missing_item: "falta un artículo", not_arrived: "nunca llegó", complaint: "queja" },
      resolutions: { reship: "te lo enviamos de nuevo", refund: "te reembolsamos", investigation: "investigamos con la paquetería",
        staff_review: "nuestro equipo lo revisa" },
      facts: { photos: "fotos del paquete y del artículo", line_nos: "qué artículos", description: "qué pasó" },
      why: {
        line_picked: "ya se está preparando: rechaza la entrega o devuélvelo cuando llegue",
        line_shipped: "ya se envió: rechaza la entrega o devuélvelo cuando llegue",
        line_delivered: "ya se entregó: mejor inicia una devolución",
        already_cancelled: "ya está cancelada", order_cancelled: "el pedido ya está cancelado",
        already_shipped: "ya se envió", pickup_order: "un pedido para recoger no tiene dirección de entrega",
        nothing_open: "no queda nada por entregar", node_cannot_ship: "su tienda no envía a esa dirección",
        not_delivered: "aún no se entrega", no_delivery_date: "no hay fecha de entrega para contar el plazo",
        damaged_is_a_claim: "llegó dañado: eso es un reclamo", category_excluded: "esta categoría no admite devoluciones",
        item_used: "los artículos usados no se pueden devolver", window_closed: "el plazo de devolución venció",
        already_returned: "ya se devolvió", refunded_in_full: "ya se reembolsó por completo",
        too_early: "todavía está dentro de su tiempo de entrega", not_shipped: "todavía no se envía",
        claim_window_closed: "ya pasó el plazo para reportarlo", no_delivery_scan: "no hay registro de entrega",
        not_a_variant: "no es otra talla o color del mismo artículo", price_higher: "la nueva variante cuesta más",
        out_of_stock: "esa variante no tiene existencias" },
    },
  };
  const strings = (lang) => S[lang === "es" ? "es" : "en"];
  const words = (table, key) => (table && table[key]) || String(key || "").replace(/_/g, " ");

  function field(label, value, testid) {
    if (value === null || value === undefined || value === "") return null;
    const attrs = { class: "field" };
    if (testid) attrs["data-testid"] = testid;
    return el("div", attrs, el("span", { class: "label" }, label), el("span", { class: "value" }, String(value)));
  }
  const money = (v, ctx) => (v === null || v === undefined ? null : P.formatMoney(v, ctx.lang));
  const day = (v, ctx) => (v ? P.formatDate(v, ctx.lang) : null);

  function frame(kind, title, t, ok, parts) {
    const badge = ok === undefined ? null : el("span", { class: `badge ${ok ? "on-time" : "late"}`, "data-testid": "action-badge" },
      ok ? t.canDo : t.cannot);
    return el("article", { class: `card action ${kind}`, "data-testid": `card-${kind}`, "data-eligible": ok === undefined ? "" : String(ok) },
      el("header", {}, el("h3", {}, title), badge), ...parts.filter(Boolean));
  }

  // why not, per line ("Line 2: already shipped: …"), in the reader's language
  function refusals(list, t) {
    const items = (list || []).map((r) => el("li", { "data-code": r.code || "" },
      `${r.line_no ? `${t.line} ${r.line_no} — ` : ""}${words(t.why, r.code)}`));
    return items.length ? el("ul", { class: "refusals", "data-testid": "action-refusals" }, ...items) : null;
  }

  // who allowed it: shoppers read "Confirmed by you" / "Approved by our team", staff the label
  function approved(d, t, ctx) {
    if (!d.approved_by) return null;
    if (ctx.audience === "customer") {
      return el("p", { class: "muted" }, d.approved_by.startsWith("customer:") ? t.confirmedByYou : t.approvedByStaff);
    }
    return field(t.approvedBy, d.approved_by);
  }

  const orderField = (d, t) => field(t.order, d.order_id);
  const refundFields = (d, t, ctx, prefix = "refund") => [
    field(t.refund, money(d[`${prefix}_amount`], ctx), "action-refund-amount"),
    d[`${prefix}_method`] ? field(t.method, words(t.methods, d[`${prefix}_method`])) : null,
    field(t.by, day(d[`${prefix}_expected_by`], ctx), "action-refund-date"),
  ];

  const RENDER = {
    cancel_proposal(d, t, ctx) {
      return frame("cancel-proposal", t.cancelProposal, t, d.eligible, [
        orderField(d, t),
        d.eligible ? field(t.lines, d.whole_order ? t.wholeOrder : (d.line_nos || []).join(", ")) : null,
        ...(d.eligible ? refundFields(d, t, ctx) : []), d.eligible ? null : refusals(d.refusals, t)]);
    },
    order_cancelled(d, t, ctx) {
      return frame("order-cancelled", d.order_status === "cancelled" ? t.cancelled : t.partCancelled, t, undefined, [
        orderField(d, t), d.order_status === "cancelled" ? null : field(t.lines, (d.line_nos || []).join(", ")),
        field(t.refund, money(d.refund_amount, ctx), "action-refund-amount"), approved(d, t, ctx)]);
    },
    address_change_proposal(d, t, ctx) {
      return frame("address-proposal", t.addressProposal, t, d.eligible, [
        orderField(d, t), field(t.city, d.city), field(t.eta, day(d.eta, ctx)),
        d.eligible ? (d.keeps_promise ? field(t.promise, `${day(d.promised_date, ctx)} · ${t.keepsPromise}`)
          : field(t.newPromise, `${day(d.previous_promised_date, ctx)} → ${day(d.promised_date, ctx)}`)) : null,
        d.eligible ? null : refusals(d.refusals, t)]);
    },
    address_changed(d, t, ctx) {
      return frame("address-changed", t.addressChanged, t, undefined, [
        orderField(d, t), field(t.promise, day(d.promised_date, ctx)), field(t.eta, day(d.eta, ctx)), approved(d, t, ctx)]);
    },
    return_proposal(d, t, ctx) {
      return frame("return-proposal", t.returnProposal, t, d.eligible, [
        orderField(d, t), d.eligible ? field(t.lines, (d.line_nos || []).join(", ")) : null,
        d.eligible ? returnHow(d, t, ctx) : null, ...(d.eligible ? refundFields(d, t, ctx) : []),
        d.seller ? field(t.seller, d.seller) : null, d.eligible ? null : refusals(d.refusals, t)]);
    },
    return_started(d, t, ctx) {
      return frame("return-started", t.returnStarted, t, undefined, [
        el("p", { class: "label-code", "data-testid": "rma-label" }, el("span", { class: "label" }, t.rma), " ",
          el("strong", {}, d.rma_id)),
        orderField(d, t), field(t.lines, (d.line_nos || []).join(", ")), returnHow(d, t, ctx),
        ...refundFields(d, t, ctx), approved(d, t, ctx)]);
    },
    exchange_proposal(d, t, ctx) {
      return frame("exchange-proposal", t.exchangeProposal, t, d.eligible, [
        orderField(d, t), field(t.line, d.line_no), field(t.to, d.to_sku),
        d.eligible ? field(t.from, P.nodeLabel(d.node_id, ctx)) : null, d.eligible ? field(t.eta, day(d.eta, ctx)) : null,
        d.price_difference ? field(t.refund, money(d.price_difference, ctx)) : null,
        d.eligible ? null : refusals(d.refusals, t)]);
    },
    exchange_created(d, t, ctx) {
      return frame("exchange-created", t.exchangeCreated, t, undefined, [
        field(t.replacement, d.new_order_id, "action-new-order"), field(t.rma, d.rma_id), field(t.to, d.to_sku),
        field(t.from, P.nodeLabel(d.node_id, ctx)), field(t.eta, day(d.eta, ctx)), approved(d, t, ctx)]);
    },
    refund_status(d, t, ctx) {
      const rows = (d.refunds || []).map((r) => el("li", { "data-testid": "refund-row" },
        el("strong", {}, money(r.amount, ctx)), ` · ${words(t.methods, r.method)} · ${words(t.states, r.status)} · ${t.by} ${day(r.expected_by, ctx) || "—"}`,
        el("span", { class: "muted" }, ` (${r.order_id}${r.refund_id ? ` · ${r.refund_id}` : ""})`)));
      return frame("refund-status", t.refunds, t, undefined, [
        d.order_id ? orderField(d, t) : null,
        rows.length ? el("ul", { class: "list refunds" }, ...rows) : el("p", { class: "muted" }, t.noRefunds),
        rows.length ? field(t.total, money(d.total, ctx)) : null]);
    },
    claim_proposal(d, t, ctx) {
      const ok = d.eligible && !(d.missing_facts || []).length;
      return frame("claim-proposal", t.claimProposal, t, ok, [
        orderField(d, t), field(t.kind, words(t.kinds, d.kind)),
        d.resolution && d.eligible ? field(t.resolution, words(t.resolutions, d.resolution)) : null,
        d.replacement_node_id ? field(t.from, P.nodeLabel(d.replacement_node_id, ctx)) : null,
        d.replacement_eta ? field(t.eta, day(d.replacement_eta, ctx)) : null,
        d.refund_amount ? field(t.refund, money(d.refund_amount, ctx), "action-refund-amount") : null,
        (d.missing_facts || []).length ? field(t.missing, d.missing_facts.map((f) => words(t.facts, f)).join(", ")) : null,
        d.needs_staff && d.eligible ? el("p", { class: "muted" }, t.needsStaff) : null,
        d.eligible ? null : refusals(d.refusals, t)]);
    },
    case_opened(d, t, ctx) {
      return frame("case-opened", d.kind === "complaint" ? t.complaint : t.caseOpened, t, undefined, [
        field(t.caseId, d.case_id, "action-case-id"), d.order_id ? orderField(d, t) : null,
        d.kind === "complaint" ? null : field(t.kind, words(t.kinds, d.kind)),
        field(t.state, words(t.states, d.status)), field(t.resolution, words(t.resolutions, d.resolution)),
        field(t.replacement, d.replacement_order_id, "action-new-order"),
        field(t.refund, money(d.refund_amount, ctx), "action-refund-amount"), approved(d, t, ctx)]);
    },
  };

  function returnHow(d, t, ctx) {
    if (d.method === "carrier_pickup") return field(t.returnHow, t.carrierPickup);
    return d.dropoff_node_id ? field(t.dropoff, P.nodeLabel(d.dropoff_node_id, ctx)) : null;
  }

  P.actionTypes = Object.keys(RENDER);
  P.renderActionDecision = function renderActionDecision(d, ctx) {
    const render = RENDER[d && d.type];
    return render ? render(d, strings(ctx.lang), ctx) : null;
  };
})(window);
