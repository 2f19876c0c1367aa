// Decision cards: one renderer per decision type of DESIGN.md rule 2. Text comes from the
// decision records (computed by domain code), never from the model's words.
(function (global) {
  "use strict";
  const P = global.Promesa;
  const el = P.el;

  const STRINGS = {
    en: {
      order: "Order", status: "Status", eta: "Estimated delivery", promised: "Promised",
      late: "Late", onTime: "On time", atRisk: "At risk", carrier: "Carrier", tracking: "Tracking",
      reason: "Why", timeline: "Tracking timeline", recommended: "Recommended", option: "Option",
      meets: "Meets promise", cost: "Cost delta", shipments: "Shipments", scores: "Scores", score: "Score", askedBy: "Asked by",
      roles: { customer: "customer", support: "support agent", ops: "ops lead", anonymous: "visitor", system: "system" },
      yes: "yes", no: "no", accept: "Choose this", executed: "Reroute executed", approvedBy: "Approved by",
      risk: "Risk", severity: "Severity", sources: "Sources", handoff: "Handed to a person", handoffNext: "A person from our team will answer you here, in this chat.",
      refusal: "Not allowed", clarify: "Need more information", analytics: "Result",
      noOption: "No option meets the promise", pickupAt: "Pick up at",
      approve: "Approve", reject: "Reject", pending: "Waiting for approval", allOptions: "Show all options",
      store: "Store", service: "Service", readyBy: "Ready by", choose: "Choose", pickupDone: "Changed to pickup",
      noChange: "Nothing to change: your order keeps its promise.", noChangeBadge: "No change needed", rejected: "Rejected: nothing was changed", value: "Value", decided: "Decision sent", notFound: "Not found", offTopic: "I can't help with that here",
      approvedByYou: "Confirmed by you", approvedByStaff: "Approved by our team", node: "Node", day: "Day",
      tools: { execute_reroute: "Ship from another store", convert_to_pickup: "Change to pickup", cancel_order: "Cancel the order",
        change_address: "Change the delivery address", start_return: "Start a return", open_claim: "Open a claim",
        exchange_item: "Exchange for another size or colour", file_complaint: "File a complaint" },
      args: { order_id: "Order", option_id: "Option", node_id: "Store", to_node: "To", reason: "Reason", line_nos: "Lines" },
      kinds: { reroute: "Ship from another store", pickup: "Pick up in store", split: "Split shipment", keep: "Keep as is",
        ship_from_node: "Another store", upgrade_service: "Faster service" },
      verbs: { ship_from_node: "Ship from", upgrade_service: "Faster service from", split: "Split between", pickup: "Pick up at" },
      severities: { high: "high", medium: "medium", low: "low" },
      events: { label_created: "Label created", picked_up: "Picked up by the carrier", in_transit: "In transit",
        delay_exception: "Delayed", out_for_delivery: "Out for delivery", failed_attempt: "Delivery attempt failed",
        delivered: "Delivered", ready_for_pickup: "Ready for pickup", picked_up_by_customer: "Picked up in store" },
      reasons: { carrier_delay: "Carrier delay", over_capacity: "Node over capacity", out_of_stock: "Out of stock at the node",
        cutoff_missed: "Missed the carrier cut-off", failed_attempt: "Delivery attempt failed", pickup_expired: "Pickup hold expired" },
    },
    es: {
      order: "Pedido", status: "Estado", eta: "Entrega estimada", promised: "Prometido",
      late: "Retrasado", onTime: "A tiempo", atRisk: "En riesgo", carrier: "Paquetería", tracking: "Guía",
      reason: "Motivo", timeline: "Seguimiento", recommended: "Recomendada", option: "Opción",
      meets: "Cumple la promesa", cost: "Diferencia de costo", shipments: "Envíos", scores: "Puntajes", score: "Puntaje", askedBy: "Lo pidió",
      roles: { customer: "el cliente", support: "el agente", ops: "operaciones", anonymous: "un visitante", system: "el sistema" },
      yes: "sí", no: "no", accept: "Elegir", executed: "Cambio de origen ejecutado", approvedBy: "Aprobado por",
      risk: "Riesgo", severity: "Severidad", sources: "Fuentes", handoff: "Transferido a una persona", handoffNext: "Una persona de nuestro equipo te responderá aquí, en este chat.",
      refusal: "No permitido", clarify: "Necesito más información", analytics: "Resultado",
      noOption: "Ninguna opción cumple la promesa", pickupAt: "Recoger en",
      approve: "Aprobar", reject: "Rechazar", pending: "Esperando aprobación", allOptions: "Ver todas las opciones",
      store: "Tienda", service: "Servicio", readyBy: "Lista para recoger", choose: "Elegir", pickupDone: "Cambiado a recoger en tienda",
      noChange: "No hay nada que cambiar: tu pedido cumple su promesa.", noChangeBadge: "No hace falta cambiar", rejected: "Rechazado: no se cambió nada", value: "Valor", decided: "Decisión enviada", notFound: "No encontrado", offTopic: "No puedo ayudarte con eso aquí",
      approvedByYou: "Confirmado por ti", approvedByStaff: "Aprobado por nuestro equipo", node: "Centro", day: "Día",
      tools: { execute_reroute: "Enviar desde otra tienda", convert_to_pickup: "Cambiar a recoger en tienda", cancel_order: "Cancelar el pedido",
        change_address: "Cambiar la dirección de entrega", start_return: "Iniciar una devolución", open_claim: "Abrir una reclamación",
        exchange_item: "Cambiar por otra talla o color", file_complaint: "Registrar una queja" },
      args: { order_id: "Pedido", option_id: "Opción", node_id: "Tienda", to_node: "Hacia", reason: "Motivo", line_nos: "Líneas" },
      kinds: { reroute: "Enviar desde otra tienda", pickup: "Recoger en tienda", split: "Envío dividido", keep: "Sin cambios",
        ship_from_node: "Otra tienda", upgrade_service: "Servicio más rápido" },
      verbs: { ship_from_node: "Enviar desde", upgrade_service: "Servicio más rápido desde", split: "Dividir entre", pickup: "Recoger en" },
      severities: { high: "alta", medium: "media", low: "baja" },
      events: { label_created: "Guía generada", picked_up: "Recogido por la paquetería", in_transit: "En camino",
        delay_exception: "Retraso", out_for_delivery: "En reparto", failed_attempt: "Intento de entrega fallido",
        delivered: "Entregado", ready_for_pickup: "Listo para recoger", picked_up_by_customer: "Recogido en tienda" },
      eventReasons: { weather: "Clima en la ruta", volume: "Alto volumen en el centro", mechanical: "Falla del vehículo",
        road: "Bloqueo en carretera", hub: "Retraso en el centro de clasificación",
        "parcel damaged in transit": "Paquete dañado en tránsito", "address not found": "Dirección no encontrada",
        "parcel lost at hub": "Paquete extraviado en el centro" },
      statuses: { created: "creado", allocated: "asignado", picking: "en preparación", packed: "empacado",
        shipped: "enviado", in_transit: "en camino", out_for_delivery: "en reparto", delivered: "entregado",
        ready_for_pickup: "listo para recoger", picked_up: "recogido", exception: "con incidencia", cancelled: "cancelado" },
      reasons: { carrier_delay: "Retraso de la paquetería", over_capacity: "Centro sin capacidad", out_of_stock: "Sin existencias en el centro",
        cutoff_missed: "Se pasó la hora de corte", failed_attempt: "Intento de entrega fallido", pickup_expired: "Venció el plazo para recoger" },
    },
  };
  P.strings = (lang) => STRINGS[lang === "es" ? "es" : "en"];

  // Store names by node id (GET /v1/stores, public): cards show "Tienda Polanco (Ciudad de
  // México)", never "CDMX-STORE-03". Until the directory has loaded, the id is shown.
  const stores = {};
  P.loadStores = function loadStores(client) {
    P.storesReady = client.get("/v1/stores").then((list) => { (list || []).forEach((s) => { stores[s.node_id] = s; }); }).catch(() => {});
    return P.storesReady;
  };
  P.nodeName = function nodeName(id) {
    if (!id) return "";
    const s = stores[id];
    return s ? `${s.name} (${s.city})` : String(id);
  };
  // staff read the code too (it is what the audit trail and the WMS say)
  P.nodeLabel = function nodeLabel(id, ctx) {
    if (!id) return "";
    if (ctx && ctx.audience === "customer") return P.nodeName(id);
    return stores[id] ? `${id} · ${stores[id].name}` : String(id);
  };
  const human = (s) => String(s || "").replace(/_/g, " ");

  function field(label, value) {
    if (value === null || value === undefined || value === "") return null;
    if (!label) return el("p", { class: "detail muted" }, value);
    return el("div", { class: "field" }, el("span", { class: "label" }, label), el("span", { class: "value" }, value));
  }

  // A tracking reason ("weather: heavy rain on the route") in the reader's language: Spanish
  // readers get the translated category, never the carrier's English detail.
  function eventReason(reason, t) {
    if (!reason) return null;
    if (!t.eventReasons) return reason;
    const text = String(reason);
    return t.eventReasons[text] || t.eventReasons[text.split(":")[0].trim()] || null;
  }

  function orderStatus(d, ctx) {
    const t = P.strings(ctx.lang);
    const state = d.late ? "late" : d.at_risk ? "at-risk" : "on-time";
    const badge = d.late ? t.late : d.at_risk ? t.atRisk : t.onTime;
    const steps = (d.timeline || []).map((s) =>
      el("li", { class: "step" + (s.type === "delay_exception" ? " warn" : "") },
        el("span", { class: "when" }, P.formatDateTime(s.occurred_at, ctx.lang)),
        el("span", { class: "what" }, t.events[s.type] || human(s.type)),
        s.location ? el("span", { class: "where" }, s.location) : null,
        eventReason(s.reason, t) ? el("span", { class: "why" }, eventReason(s.reason, t)) : null));
    const pickup = d.fulfillment_type === "pickup" || d.pickup_node_id;
    return el("article", { class: `card order-status ${state}`, "data-testid": "card-order-status", "data-state": state },
      el("header", {}, el("h3", {}, `${t.order} ${d.order_id}`), el("span", { class: `badge ${state}` }, badge)),
      field(t.status, (t.statuses && t.statuses[d.status]) || human(d.status)),
      pickup ? field(t.pickupAt, P.nodeLabel(d.pickup_node_id, ctx)) : null,
      field(pickup ? t.readyBy : t.eta, d.eta ? P.formatDate(d.eta, ctx.lang) : "—"),
      field(t.promised, P.formatDate(d.promised_date, ctx.lang)),
      field(t.reason, d.reason ? (t.reasons[d.reason] || human(d.reason)) : null),
      ctx.lang === "es" ? null : field("", d.reason_detail),
      pickup ? null : field(t.carrier, d.carrier),
      pickup ? null : field(t.tracking, d.tracking_number),
      steps.length ? el("details", { open: true }, el("summary", {}, t.timeline), el("ol", { class: "timeline" }, steps)) : null);
  }

  const optionNodes = (o, ctx) => (o.nodes || []).map((n) => P.nodeLabel(n, ctx)).join(" + ");

  function optionRow(o, d, ctx) {
    const t = P.strings(ctx.lang);
    const customer = ctx.audience === "customer";
    const recommended = o.option_id === d.recommended_option_id;
    const cells = [
      // staff: the kind and the store in one cell (two short lines), so the row fits the column
      customer ? el("td", {}, (t.kinds && t.kinds[o.kind]) || human(o.kind), recommended ? el("span", { class: "badge on-time" }, t.recommended) : null)
        : el("td", { class: "option-cell", title: recommended ? t.recommended : null }, el("span", {}, (t.kinds && t.kinds[o.kind]) || human(o.kind),
          recommended ? el("span", { class: "sr-only" }, ` (${t.recommended})`) : null), el("small", { class: "node" }, optionNodes(o, ctx))),
      customer ? el("td", {}, optionNodes(o, ctx)) : null,
      customer ? null : el("td", {}, o.service_id ? P.serviceName(o.service_id) : "—"),
      // staff compare many rows: a short date keeps each option on one line
      el("td", {}, o.eta ? (customer ? P.formatDate(o.eta, ctx.lang) : new Date(`${o.eta}T12:00:00`).toLocaleDateString(
        ctx.lang === "es" ? "es-MX" : "en-US", { weekday: "short", month: "short", day: "numeric" })) : "—"),
      el("td", {}, o.meets_promise ? t.yes : t.no),
    ];
    if (!customer) {
      // one score per row (the criteria on hover): a column of per-criterion scores made every
      // row several lines tall in the copilot's middle column
      const scores = o.scores ? Object.entries(o.scores).map(([k, v]) => `${human(k)} ${Number(v).toFixed(2)}`).join(" · ") : "";
      const total = o.total_score !== undefined && o.total_score !== null ? Number(o.total_score).toFixed(2) : "—";
      cells.push(el("td", { class: "num" }, P.formatMoney(o.cost_delta_mxn ?? 0, ctx.lang)),
        el("td", { class: "num scores", title: `${scores}${o.shipments > 1 ? ` · ${o.shipments} ${t.shipments.toLowerCase()}` : ""}` }, total));
    }
    const row = el("tr", { class: recommended ? "recommended" : "" }, cells);
    if (ctx.onChoose && (o.kind === "pickup" || ctx.chooseAny)) {
      const button = el("button", { type: "button", class: "small", "data-testid": "choose-option" }, t.accept);
      button.addEventListener("click", () => {
        // one choice per card: the other options' buttons are disabled once one is sent
        button.closest("table").querySelectorAll("button").forEach((b) => { b.disabled = true; });
        ctx.onChoose(o, d);
      });
      row.append(el("td", {}, button));
    } else if (ctx.onChoose) row.append(el("td", {}));
    return row;
  }

  // A shopper's option: a store, the day it is ready, and one button (no table to scroll).
  function optionItem(o, d, ctx) {
    const t = P.strings(ctx.lang);
    const recommended = o.option_id === d.recommended_option_id;
    const pickup = o.kind === "pickup";
    const item = el("li", { class: "option" + (recommended ? " recommended" : "") },
      el("div", { class: "option-store" }, el("strong", {}, optionNodes(o, ctx)),
        recommended ? el("span", { class: "badge on-time" }, t.recommended) : null),
      el("div", { class: "muted" }, `${pickup ? t.readyBy : t.eta}: ${o.eta ? P.formatDate(o.eta, ctx.lang) : "—"}`,
        o.meets_promise ? "" : ` · ${t.late}`));
    if (ctx.onChoose && (pickup || ctx.chooseAny)) {
      const button = el("button", { type: "button", class: "small", "data-testid": "choose-option",
        "aria-label": `${t.accept}: ${optionNodes(o, ctx)}` }, t.accept);
      button.addEventListener("click", () => {
        button.closest("ul").querySelectorAll("button").forEach((b) => { b.disabled = true; });
        ctx.onChoose(o, d);
      });
      item.append(button);
    }
    return item;
  }

  function rerouteProposal(d, ctx) {
    const t = P.strings(ctx.lang);
    const customer = ctx.audience === "customer";
    // shoppers see only what they can choose (pickup stores); staff see every option
    const all = (d.options || []).filter((o) => !customer || o.kind === "pickup" || d.kind !== "pickup");
    const shown = ctx.allOptions ? all : all.slice(0, 5);
    const headers = customer ? [t.option, t.store, t.eta, t.meets] : [t.option, t.service, t.eta, t.meets, t.cost, t.score];
    if (ctx.onChoose) headers.push(t.choose);
    const head = el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)));
    const recommended = all.find((o) => o.option_id === d.recommended_option_id);
    let badge = null;
    if (recommended || d.recommended_node) {
      badge = el("span", { class: "badge on-time" }, `${t.recommended}: ${recommended ? optionNodes(recommended, ctx) : P.nodeLabel(d.recommended_node, ctx)}`);
    } else if (d.needed === false) badge = el("span", { class: "badge on-time" }, t.noChangeBadge);
    else if (all.length) badge = el("span", { class: "badge late" }, t.noOption);
    const body = !shown.length ? null : customer ? el("ul", { class: "options" }, shown.map((o) => optionItem(o, d, ctx)))
      : el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": `${t.order} ${d.order_id}` }, el("table", { class: "data" },
        el("thead", {}, head), el("tbody", {}, shown.map((o) => optionRow(o, d, ctx)))));
    return el("article", { class: "card reroute", "data-testid": "card-reroute-proposal" },
      el("header", {}, el("h3", {}, `${t.order} ${d.order_id}`), badge),
      // the domain's reason is staff wording (scores, cost deltas); shoppers get a plain line
      customer ? (shown.length ? null : el("p", { class: "reason" }, t.noChange)) : d.reason ? el("p", { class: "reason" }, d.reason) : null,
      body,
      all.length > shown.length ? el("button", { type: "button", class: "secondary small", "data-testid": "all-options",
        onclick: (e) => e.target.closest("article").replaceWith(rerouteProposal(d, Object.assign({}, ctx, { allOptions: true }))) },
        `${t.allOptions} (${all.length})`) : null);
  }

  function rerouteExecuted(d, ctx) {
    const t = P.strings(ctx.lang);
    const customer = ctx.audience === "customer";
    const byCustomer = String(d.approved_by || "").startsWith("customer:");
    const pickup = d.action === "convert_to_pickup";
    return el("article", { class: "card executed", "data-testid": "card-reroute-executed" },
      el("header", {}, el("h3", {}, `${pickup ? t.pickupDone : t.executed}: ${d.order_id}`)),
      field(pickup ? t.pickupAt : t.store, P.nodeLabel(d.to_node, ctx) || null),
      customer ? field(t.approvedBy, byCustomer ? t.approvedByYou : t.approvedByStaff) : field(t.approvedBy, d.approved_by));
  }

  function riskFlag(d, ctx) {
    const t = P.strings(ctx.lang);
    return el("article", { class: `card risk ${d.severity || ""}`, "data-testid": "card-risk-flag" },
      el("header", {}, el("h3", {}, `${t.risk}: ${d.order_id || P.nodeLabel(d.node_id, ctx) || ""}`),
        d.severity ? el("span", { class: `badge ${d.severity === "high" ? "late" : "at-risk"}` }, `${t.severity}: ${t.severities[d.severity] || d.severity}`) : null),
      field(t.reason, t.reasons[d.reason] || human(d.reason)), field(t.node, P.nodeLabel(d.node_id, ctx)),
      field(t.day, d.day ? P.formatDate(d.day, ctx.lang) : null));
  }

  function policyAnswer(d, ctx) {
    const t = P.strings(ctx.lang);
    // a link reads as the policy's own title and section ("Pickup — Who may collect"), never its
    // citation key (pickup#who-may-collect); the key stays in the address
    const titles = {};
    (d.passages || []).forEach((p) => { if (p && p.citation && p.title) titles[p.citation] = p.section_title ? `${p.title} — ${p.section_title}` : p.title; });
    const links = (d.citations || []).map((c) => {
      const [doc, section] = String(c).split("#");
      return el("li", {}, el("a", { href: `/policies/${encodeURIComponent(doc)}?lang=${ctx.lang === "es" ? "es" : "en"}#${encodeURIComponent(section || "")}`,
        target: "_blank", rel: "noopener", "data-testid": "citation" }, titles[c] || human(section || doc)));
    });
    return el("article", { class: "card policy", "data-testid": "card-policy-answer" },
      el("header", {}, el("h3", {}, t.sources)), el("ul", { class: "citations" }, links));
  }

  // Analytics rows are {group: {carrier: "DHL"}, value: 84.6154}: one labelled column per
  // dimension and a formatted value, never "[object Object]" (shared with the ops console).
  P.analyticsTable = function analyticsTable(d, lang) {
    const rows = d.rows || [];
    const dims = (d.dimensions && d.dimensions.length) ? d.dimensions
      : [...new Set(rows.flatMap((r) => Object.keys(r.group || {})))];
    const flat = rows.map((r) => {
      const out = {};
      dims.forEach((k) => { out[k] = (r.group || {})[k] ?? ""; });
      out.value = r.value;
      return out;
    });
    return { columns: [...dims, "value"], rows: flat, dims };
  };
  P.formatValue = function formatValue(value, unit, lang) {
    const n = Number(value);
    if (value === null || value === undefined || value === "" || Number.isNaN(n)) return value ?? "";
    const locale = lang === "es" ? "es-MX" : "en-US";
    if (unit === "percent" || unit === "%") return `${n.toLocaleString(locale, { maximumFractionDigits: 1 })}%`;
    if (unit === "MXN") return P.formatMoney(n, lang);
    return n.toLocaleString(locale, { maximumFractionDigits: Number.isInteger(n) ? 0 : 2 });
  };
  P.columnLabel = function columnLabel(key, lang) {
    const words = String(key).replace(/_id$/, "").replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  };

  function analyticsResult(d, ctx) {
    const table = P.analyticsTable(d, ctx.lang);
    const labels = {};
    table.columns.forEach((c) => { labels[c] = c === "value" ? `${P.strings(ctx.lang).value}${d.unit ? ` (${d.unit})` : ""}` : P.columnLabel(c, ctx.lang); });
    return el("article", { class: "card analytics", "data-testid": "card-analytics" },
      el("header", {}, el("h3", {}, `${P.strings(ctx.lang).analytics}: ${human(d.metric)}`)),
      table.rows.length ? P.table(table.columns, table.rows, { csv: `${d.metric || "result"}.csv`, labels,
        format: (c, v) => (c === "value" ? P.formatValue(v, d.unit, ctx.lang) : v) }) : null);
  }

  function simple(kind, title, body) {
    return el("article", { class: `card ${kind}`, "data-testid": `card-${kind}` }, el("header", {}, el("h3", {}, title)), body ? el("p", {}, body) : null);
  }

  P.renderDecision = function renderDecision(d, ctx) {
    const t = P.strings(ctx.lang);
    switch (d.type) {
      case "order_status": return orderStatus(d, ctx);
      case "reroute_proposal": return rerouteProposal(d, ctx);
      case "reroute_executed": return rerouteExecuted(d, ctx);
      case "risk_flag": return riskFlag(d, ctx);
      case "policy_answer": return policyAnswer(d, ctx);
      case "analytics_result": return analyticsResult(d, ctx);
      case "clarification": return ctx.quiet ? null : simple("clarification", t.clarify,
        [d.question, (d.candidates || []).join(" · ")].filter(Boolean).join(" — "));
      case "customer_profile": return el("article", { class: "card profile", "data-testid": "card-customer-profile" },
        el("header", {}, el("h3", {}, `${d.name} (${d.customer_id})`)),
        el("ul", { class: "list" }, (d.identities || []).map((i) => el("li", {}, `${i.kind}: ${i.value}${i.source ? ` (${i.source})` : ""}`))),
        (d.open_orders || []).length ? field(t.order, d.open_orders.join(", ")) : null);
      case "availability": return el("article", { class: "card availability", "data-testid": "card-availability" },
        el("header", {}, el("h3", {}, `${d.sku}: ${d.total_atp}`)),
        P.table(["node_id", "atp", "distance_km"], (d.nodes || []).map((n) => Object.assign({}, n,
          { distance_km: n.distance_km === null || n.distance_km === undefined ? "" : Math.round(n.distance_km) }))));
      // a shopper reads what happens next, never the reason code; staff read the reason in words
      case "handoff": return simple("handoff", t.handoff, ctx.audience === "customer" ? t.handoffNext
        : /^[a-z_]+$/.test(d.reason || "") ? human(d.reason) : d.reason);
      case "refusal": {
        // "not found" and off-topic are not permission problems: only a real refusal is red
        const title = d.code === "not_found" ? t.notFound : d.code === "rejected" ? t.rejected
          : d.code === "forbidden" || d.code === "policy_violation" ? t.refusal : t.offTopic;
        const kind = d.code === "forbidden" || d.code === "policy_violation" ? "refusal" : "notice";
        // a rejection's message names the tool and the principal: a shopper needs neither (the
        // title says it); staff read the action in words and the reason given
        const body = d.code !== "rejected" ? d.message : ctx.audience === "customer" ? null
          : String(d.message || "").replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (k) => ((t.tools && t.tools[k]) || human(k)).toLowerCase());
        const card = simple(kind, title, body);
        card.setAttribute("data-testid", "card-refusal");
        card.setAttribute("data-code", d.code || "");
        return card;
      }
      // the self-service decisions (cancel, address, return, exchange, refunds, claims): action-cards.js
      default: return P.renderActionDecision ? P.renderActionDecision(d, ctx) : null;
    }
  };

  // "ship_from_node:MTY-STORE-02:ESTAFETA-STANDARD" -> "Ship from Tienda Cumbres (MTY-STORE-02), Estafeta standard"
  // A carrier service code in words: "ESTAFETA-STANDARD" -> "Estafeta standard".
  P.serviceName = (code) => {
    const [carrier, ...rest] = String(code || "").split(/[-_]/).filter(Boolean);
    if (!carrier) return "";
    // short carrier names are acronyms (DHL, UPS); longer ones are names (Estafeta)
    const name = carrier.length <= 3 ? carrier.toUpperCase() : carrier.charAt(0).toUpperCase() + carrier.slice(1).toLowerCase();
    return [name, ...rest.map((w) => w.toLowerCase())].join(" ");
  };
  function optionWords(id, t, ctx) {
    const [kind, nodes, service] = id.split(":");
    const where = (nodes || "").split("+").filter(Boolean).map((n) => P.nodeLabel(n, ctx)).join(" + ");
    // "Ship from Tienda Cumbres (MTY-STORE-02), Estafeta standard": the option id in words
    const via = service && service !== "pickup" ? P.serviceName(service) : null;
    return `${(t.verbs && t.verbs[kind]) || human(kind)} ${where}${via ? `, ${via}` : ""}`;
  }

  // "customer:C-1002" -> "Asked by customer C-1002" (a principal label in words)
  const askedBy = (label, t) => {
    const [role, ...rest] = String(label || "").split(":");
    return `${t.askedBy || "Asked by"} ${(t.roles && t.roles[role]) || role} ${rest.join(":")}`.trim();
  };

  // Approve / reject buttons for a pending approval (interrupt) of a thread: the action in
  // words (stores by name), and both buttons disabled once a decision has been sent.
  P.renderApproval = function renderApproval(pending, ctx) {
    const t = P.strings(ctx.lang);
    const reason = el("input", { type: "text", class: "reason-input", placeholder: t.reason, "aria-label": t.reason });
    const args = Object.entries(pending.args || {}).filter(([k]) => ctx.audience !== "customer" || (k !== "option_id" && k !== "reason"))
      .map(([k, v]) => {
        const label = (t.args && t.args[k]) || human(k);
        const value = /node/.test(k) ? P.nodeLabel(v, ctx) : k === "option_id" ? optionWords(String(v), t, ctx)
          : Array.isArray(v) ? v.join(", ") : String(v);
        return el("div", { class: "field" }, el("span", { class: "label" }, label), el("span", { class: "value" }, value));
      });
    const approve = el("button", { type: "button", "data-testid": "approve" }, t.approve);
    const reject = el("button", { type: "button", class: "secondary", "data-testid": "reject" }, t.reject);
    const state = el("p", { class: "muted", "data-testid": "approval-state", role: "status" });
    const card = el("article", { class: "card approval", "data-testid": "card-approval" },
      el("header", {}, el("h3", {}, t.pending)),
      el("p", {}, el("strong", {}, (t.tools && t.tools[pending.tool]) || human(pending.tool))),
      args,
      // who asked and exactly what changes: for staff deciding (shoppers see their own words)
      ctx.audience !== "customer" && pending.requested_by
        ? el("p", { class: "muted", "data-testid": "approval-requested-by" }, askedBy(pending.requested_by, t)) : null,
      ctx.audience !== "customer" && (pending.changes || []).length
        ? el("ul", { class: "changes", "data-testid": "approval-changes" }, ...pending.changes.map((c) => el("li", {}, c))) : null,
      ctx.showReason ? reason : null,
      el("div", { class: "actions" }, approve, reject), state);
    const decide = async (yes) => {
      approve.disabled = true; reject.disabled = true; reason.disabled = true;
      state.textContent = `${t.decided}: ${yes ? t.approve : t.reject}`;
      const ok = await ctx.onDecide(yes, reason.value);
      if (ok === false) { approve.disabled = false; reject.disabled = false; reason.disabled = false; state.textContent = ""; }
      else card.setAttribute("data-decided", yes ? "approved" : "rejected");
    };
    approve.addEventListener("click", () => decide(true));
    reject.addEventListener("click", () => decide(false));
    return card;
  };
})(window);
