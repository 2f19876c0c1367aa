// Why a reroute proposal recommends what it does, worded per locale from the decision's typed
// fields (dates as "3 Dec" / "3 dic", stores by name). The decision's ``reason`` is the domain's
// English log prose (ISO dates, node codes, scores): no page shows it.
(function (global) {
  "use strict";
  const P = global.Promesa;

  const W = {
    en: {
      arrives: "arrives", promise: "promise", cost: "cost", noCost: "no extra cost",
      short: (node) => `${node} can no longer ship it as planned.`,
      late: (node, eta) => `From ${node} it would arrive on ${eta}, after the promise.`,
      unallocated: "It is not allocated to any store.",
      noNeed: (node, eta, promised) => `From ${node} it arrives on ${eta}, within the promise (${promised}).`,
      noneLate: (promised, node, eta) => `No option arrives by the promise${promised ? ` (${promised})` : ""}; the earliest, ${node}, would arrive on ${eta}.`,
      noneAtAll: "No store that has the items can ship them.",
      nonePickup: "No nearby store can hold this order for pickup.",
      consent: (node) => `Only a pickup at ${node} keeps the promise, and it needs the customer's consent.`,
      filtered: "Every option breaks a sourcing rule.",
    },
    es: {
      arrives: "llega", promise: "promesa", cost: "costo", noCost: "sin costo adicional",
      short: (node) => `${node} ya no puede enviarlo como estaba planeado.`,
      late: (node, eta) => `Desde ${node} llegaría el ${eta}, después de la promesa.`,
      unallocated: "No está asignado a ninguna tienda.",
      noNeed: (node, eta, promised) => `Desde ${node} llega el ${eta}, dentro de la promesa (${promised}).`,
      noneLate: (promised, node, eta) => `Ninguna opción llega para la promesa${promised ? ` (${promised})` : ""}; la más pronta, ${node}, llegaría el ${eta}.`,
      noneAtAll: "Ninguna tienda con los artículos puede enviarlos.",
      nonePickup: "Ninguna tienda cercana puede tenerlo listo para recoger.",
      consent: (node) => `Solo recoger en ${node} cumple la promesa, y necesita el consentimiento del cliente.`,
      filtered: "Todas las opciones incumplen alguna regla de surtido.",
    },
  };

  // day first in both locales ("3 Dec", "3 dic"): built from the parts, as en-MX data varies by browser
  P.shortDay = function shortDay(iso, lang) {
    if (!iso) return "";
    const date = new Date(String(iso).length === 10 ? `${iso}T12:00:00` : iso);
    if (Number.isNaN(date.getTime())) return "";
    const parts = new Intl.DateTimeFormat(lang === "es" ? "es-MX" : "en-MX", { day: "numeric", month: "short" }).formatToParts(date);
    const part = (type) => (parts.find((p) => p.type === type) || {}).value || "";
    return `${part("day")} ${part("month").replace(/\.$/, "")}`;
  };

  // "Ship from MTY-STORE-02 · Tienda Cumbres (Monterrey), Estafeta standard"
  P.optionPhrase = function optionPhrase(o, ctx) {
    const t = P.strings(ctx.lang);
    const where = (o.nodes || []).map((n) => P.nodeLabel(n, ctx)).join(" + ");
    const via = o.service_id && o.kind !== "pickup" ? `, ${P.serviceName(o.service_id)}` : "";
    return `${(t.verbs && t.verbs[o.kind]) || String(o.kind || "").replace(/_/g, " ")} ${where}${via}`;
  };

  const sameOrLater = (a, b) => String(a) > String(b);  // ISO dates order as strings

  P.proposalWhy = function proposalWhy(d, ctx) {
    const w = W[ctx.lang === "es" ? "es" : "en"];
    const day = (iso) => P.shortDay(iso, ctx.lang);
    const node = (n) => P.nodeLabel(n, ctx);
    const options = d.options || [];
    const best = options.find((o) => o.option_id === d.recommended_option_id);
    if (best) {
      const parts = [];
      if (d.current_node && !d.current_eta) parts.push(w.short(node(d.current_node)));
      else if (d.current_node && d.promised_date && sameOrLater(d.current_eta, d.promised_date)) parts.push(w.late(node(d.current_node), day(d.current_eta)));
      else if (!d.current_node && "current_node" in d && d.promised_date) parts.push(w.unallocated);
      const delta = Number(best.cost_delta_mxn || 0);
      const money = delta ? `${w.cost} ${delta > 0 ? "+" : "−"}${P.formatMoney(Math.abs(delta), ctx.lang)}` : w.noCost;
      const promise = d.promised_date ? ` (${w.promise} ${day(d.promised_date)})` : "";
      parts.push(`${P.optionPhrase(best, ctx)}: ${w.arrives} ${day(best.eta)}${promise}, ${money}.`);
      return parts.join(" ");
    }
    if (d.needed === false && d.current_node && d.current_eta) return w.noNeed(node(d.current_node), day(d.current_eta), day(d.promised_date));
    if (!options.length) return d.kind === "pickup" ? w.nonePickup : w.noneAtAll;
    if (options.every((o) => o.meets_promise === false)) {
      const first = options.slice().sort((a, b) => String(a.eta).localeCompare(String(b.eta)))[0];
      return w.noneLate(day(d.promised_date), (first.nodes || []).map(node).join(" + "), day(first.eta));
    }
    const consent = options.find((o) => o.executable === false);
    if (consent && (consent.nodes || []).length) return w.consent(node(consent.nodes[0]));
    return d.kind === "pickup" ? w.nonePickup : w.filtered;
  };
})(window);
