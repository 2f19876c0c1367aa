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
      meets: "Meets promise", cost: "Cost delta", shipments: "Shipments", scores: "Scores",
      yes: "yes", no: "no", accept: "Choose this", executed: "Reroute executed", approvedBy: "Approved by",
      risk: "Risk", severity: "Severity", sources: "Sources", handoff: "Handed to a person",
      refusal: "Not allowed", clarify: "Need more information", analytics: "Result",
      noOption: "No option meets the promise", pickupAt: "Pick up at",
      approve: "Approve", reject: "Reject", pending: "Waiting for approval", allOptions: "Show all options",
      reasons: { carrier_delay: "Carrier delay", over_capacity: "Node over capacity", out_of_stock: "Out of stock at the node",
        cutoff_missed: "Missed the carrier cut-off", failed_attempt: "Delivery attempt failed", pickup_expired: "Pickup hold expired" },
    },
    es: {
      order: "Pedido", status: "Estado", eta: "Entrega estimada", promised: "Prometido",
      late: "Retrasado", onTime: "A tiempo", atRisk: "En riesgo", carrier: "Paquetería", tracking: "Guía",
      reason: "Motivo", timeline: "Seguimiento", recommended: "Recomendada", option: "Opción",
      meets: "Cumple la promesa", cost: "Diferencia de costo", shipments: "Envíos", scores: "Puntajes",
      yes: "sí", no: "no", accept: "Elegir", executed: "Cambio de origen ejecutado", approvedBy: "Aprobado por",
      risk: "Riesgo", severity: "Severidad", sources: "Fuentes", handoff: "Transferido a una persona",
      refusal: "No permitido", clarify: "Necesito más información", analytics: "Resultado",
      noOption: "Ninguna opción cumple la promesa", pickupAt: "Recoger en",
      approve: "Aprobar", reject: "Rechazar", pending: "Esperando aprobación", allOptions: "Ver todas las opciones",
      statuses: { created: "creado", allocated: "asignado", picking: "en preparación", packed: "empacado",
        shipped: "enviado", in_transit: "en camino", out_for_delivery: "en reparto", delivered: "entregado",
        ready_for_pickup: "listo para recoger", picked_up: "recogido", exception: "con incidencia", cancelled: "cancelado" },
      reasons: { carrier_delay: "Retraso de la paquetería", over_capacity: "Centro sin capacidad", out_of_stock: "Sin existencias en el centro",
        cutoff_missed: "Se pasó la hora de corte", failed_attempt: "Intento de entrega fallido", pickup_expired: "Venció el plazo para recoger" },
    },
  };
  P.strings = (lang) => STRINGS[lang === "es" ? "es" : "en"];
  const human = (s) => String(s || "").replace(/_/g, " ");

  function field(label, value) {
    if (value === null || value === undefined || value === "") return null;
    if (!label) return el("p", { class: "detail muted" }, value);
    return el("div", { class: "field" }, el("span", { class: "label" }, label), el("span", { class: "value" }, value));
  }

  function orderStatus(d, ctx) {
    const t = P.strings(ctx.lang);
    const state = d.late ? "late" : d.at_risk ? "at-risk" : "on-time";
    const badge = d.late ? t.late : d.at_risk ? t.atRisk : t.onTime;
    const steps = (d.timeline || []).map((s) =>
      el("li", { class: "step" + (s.type === "delay_exception" ? " warn" : "") },
        el("span", { class: "when" }, P.formatDateTime(s.occurred_at, ctx.lang)),
        el("span", { class: "what" }, human(s.type)),
        s.location ? el("span", { class: "where" }, s.location) : null,
        s.reason ? el("span", { class: "why" }, s.reason) : null));
    return el("article", { class: `card order-status ${state}`, "data-testid": "card-order-status", "data-state": state },
      el("header", {}, el("h3", {}, `${t.order} ${d.order_id}`), el("span", { class: `badge ${state}` }, badge)),
      field(t.status, (t.statuses && t.statuses[d.status]) || human(d.status)),
      field(t.eta, d.eta ? P.formatDate(d.eta, ctx.lang) : "—"),
      field(t.promised, P.formatDate(d.promised_date, ctx.lang)),
      field(t.reason, d.reason ? (t.reasons[d.reason] || human(d.reason)) : null),
      ctx.lang === "es" ? null : field("", d.reason_detail),
      field(t.carrier, d.carrier),
      field(t.tracking, d.tracking_number),
      steps.length ? el("details", { open: true }, el("summary", {}, t.timeline), el("ol", { class: "timeline" }, steps)) : null);
  }

  function optionRow(o, d, ctx) {
    const t = P.strings(ctx.lang);
    const nodes = (o.nodes || []).join(" + ");
    const scores = o.scores ? Object.entries(o.scores).map(([k, v]) => `${human(k)} ${Number(v).toFixed(2)}`).join(" · ") : "";
    const recommended = o.option_id === d.recommended_option_id;
    const row = el("tr", { class: recommended ? "recommended" : "" },
      el("td", {}, human(o.kind), recommended ? el("span", { class: "badge on-time" }, t.recommended) : null),
      el("td", {}, nodes), el("td", {}, o.service_id || ""),
      el("td", {}, o.eta ? P.formatDate(o.eta, ctx.lang) : "—"),
      el("td", {}, o.meets_promise ? t.yes : t.no),
      el("td", {}, P.formatMoney(o.cost_delta_mxn ?? 0, ctx.lang)),
      el("td", {}, o.shipments ?? ""), el("td", { class: "scores" }, scores));
    if (ctx.onChoose && (o.kind === "pickup" || ctx.chooseAny)) {
      row.append(el("td", {}, el("button", { type: "button", class: "small", "data-testid": "choose-option",
        onclick: () => ctx.onChoose(o, d) }, t.accept)));
    }
    return row;
  }

  function rerouteProposal(d, ctx) {
    const t = P.strings(ctx.lang);
    const all = d.options || [];
    const shown = ctx.allOptions ? all : all.slice(0, 5);
    const options = shown;
    const head = el("tr", {}, [t.option, "Node", "Service", t.eta, t.meets, t.cost, t.shipments, t.scores].map((h) => el("th", { scope: "col" }, h)));
    return el("article", { class: "card reroute", "data-testid": "card-reroute-proposal" },
      el("header", {}, el("h3", {}, `${t.order} ${d.order_id}`),
        d.recommended_node ? el("span", { class: "badge on-time" }, `${t.recommended}: ${d.recommended_node}`)
          : el("span", { class: "badge late" }, t.noOption)),
      d.reason ? el("p", { class: "reason" }, d.reason) : null,
      options.length ? el("div", { class: "table-wrap" }, el("table", { class: "data" },
        el("thead", {}, head), el("tbody", {}, options.map((o) => optionRow(o, d, ctx))))) : null,
      all.length > shown.length ? el("button", { type: "button", class: "secondary small", "data-testid": "all-options",
        onclick: (e) => e.target.closest("article").replaceWith(rerouteProposal(d, Object.assign({}, ctx, { allOptions: true }))) },
        `${P.strings(ctx.lang).allOptions} (${all.length})`) : null);
  }

  function rerouteExecuted(d, ctx) {
    const t = P.strings(ctx.lang);
    return el("article", { class: "card executed", "data-testid": "card-reroute-executed" },
      el("header", {}, el("h3", {}, `${t.executed}: ${d.order_id}`)),
      field("→", d.to_node || (d.to_nodes || []).join(", ")),
      field(t.approvedBy, d.approved_by));
  }

  function riskFlag(d, ctx) {
    const t = P.strings(ctx.lang);
    return el("article", { class: `card risk ${d.severity || ""}`, "data-testid": "card-risk-flag" },
      el("header", {}, el("h3", {}, `${t.risk}: ${d.order_id || d.node_id || ""}`),
        d.severity ? el("span", { class: `badge ${d.severity === "high" ? "late" : "at-risk"}` }, `${t.severity}: ${d.severity}`) : null),
      field(t.reason, human(d.reason)), field("Node", d.node_id), field("Day", d.day));
  }

  function policyAnswer(d, ctx) {
    const t = P.strings(ctx.lang);
    const links = (d.citations || []).map((c) => {
      const [doc, section] = String(c).split("#");
      return el("li", {}, el("a", { href: `/policies/${encodeURIComponent(doc)}?lang=${ctx.lang === "es" ? "es" : "en"}#${encodeURIComponent(section || "")}`,
        target: "_blank", rel: "noopener", "data-testid": "citation" }, c));
    });
    return el("article", { class: "card policy", "data-testid": "card-policy-answer" },
      el("header", {}, el("h3", {}, t.sources)), el("ul", { class: "citations" }, links));
  }

  function analyticsResult(d, ctx) {
    const rows = d.rows || [];
    const columns = rows.length ? Object.keys(rows[0]) : [];
    return el("article", { class: "card analytics", "data-testid": "card-analytics" },
      el("header", {}, el("h3", {}, `${P.strings(ctx.lang).analytics}: ${human(d.metric)}${d.unit ? ` (${d.unit})` : ""}`)),
      columns.length ? P.table(columns, rows, { csv: `${d.metric || "result"}.csv` }) : null);
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
      case "handoff": return simple("handoff", t.handoff, d.reason);
      case "refusal": return simple("refusal", t.refusal, d.message);
      default: return null;
    }
  };

  // Approve / reject buttons for a pending approval (interrupt) of a thread.
  P.renderApproval = function renderApproval(pending, ctx) {
    const t = P.strings(ctx.lang);
    const reason = el("input", { type: "text", class: "reason-input", placeholder: t.reason, "aria-label": t.reason });
    const decide = (approve) => ctx.onDecide(approve, reason.value);
    return el("article", { class: "card approval", "data-testid": "card-approval" },
      el("header", {}, el("h3", {}, t.pending)),
      el("p", {}, el("strong", {}, human(pending.tool)), " ",
        Object.entries(pending.args || {}).map(([k, v]) => `${human(k)}: ${v}`).join(" · ")),
      pending.requested_by ? el("p", { class: "muted", "data-testid": "approval-requested-by" }, pending.requested_by) : null,
      (pending.changes || []).length ? el("ul", { class: "changes", "data-testid": "approval-changes" },
        ...pending.changes.map((c) => el("li", {}, c))) : null,
      pending.reason ? el("p", { class: "muted" }, pending.reason) : null,
      ctx.showReason ? reason : null,
      el("div", { class: "actions" },
        el("button", { type: "button", "data-testid": "approve", onclick: () => decide(true) }, t.approve),
        el("button", { type: "button", class: "secondary", "data-testid": "reject", onclick: () => decide(false) }, t.reject)));
  };
})(window);
