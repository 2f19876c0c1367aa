// The customer chat widget (runs inside the iframe that widget.js opens, or at /widget).
(function () {
  "use strict";
  const P = window.Promesa;
  const el = P.el;
  const params = new URLSearchParams(location.hash.slice(1));
  const TEXT = {
    en: { title: "Help with your order", placeholder: "Ask about your order…", send: "Send",
      verify: "Check an order without signing in", orderId: "Order number", contact: "Email or phone",
      verifyBtn: "Verify", verified: "Verified: you can ask about order", signedIn: "Signed in",
      hello: "Hi! I can tell you where your order is, change it to pickup, or explain our policies.",
      lang: "Español", wrong: "Those details don't match an order.",
      myData: "My data", askAccess: "Send me my data", askErasure: "Delete my data",
      asked: "Your request is with our team; they will contact you." },
    es: { title: "Ayuda con tu pedido", placeholder: "Pregunta por tu pedido…", send: "Enviar",
      verify: "Consulta un pedido sin iniciar sesión", orderId: "Número de pedido", contact: "Correo o teléfono",
      verifyBtn: "Verificar", verified: "Verificado: puedes preguntar por el pedido", signedIn: "Sesión iniciada",
      hello: "¡Hola! Puedo decirte dónde está tu pedido, cambiarlo a recoger en tienda o explicarte nuestras políticas.",
      lang: "English", wrong: "Esos datos no coinciden con ningún pedido.",
      myData: "Mis datos", askAccess: "Envíenme mis datos", askErasure: "Borren mis datos",
      asked: "Tu solicitud está con nuestro equipo; te contactarán." },
  };
  let lang = params.get("lang") || sessionStorage.getItem("promesa.widget.lang") ||
    ((navigator.language || "en").toLowerCase().startsWith("es") ? "es" : "en");
  const client = new P.Client({ storageKey: "promesa.widget.token", token: params.get("token") || null });
  if (params.get("token")) client.setToken(params.get("token"));

  const title = el("h1", {}, "");
  const toggle = el("button", { type: "button", class: "lang-toggle small", "data-testid": "lang-toggle",
    onclick: () => { lang = lang === "es" ? "en" : "es"; sessionStorage.setItem("promesa.widget.lang", lang); paint(); } });
  document.body.append(el("header", { class: "topbar" }, title, toggle));

  const status = el("p", { class: "muted", "data-testid": "auth-status" });
  const orderInput = el("input", { type: "text", id: "verify-order", autocomplete: "off", "data-testid": "verify-order" });
  const contactInput = el("input", { type: "text", id: "verify-contact", autocomplete: "off", "data-testid": "verify-contact" });
  const orderLabel = el("label", { for: "verify-order" });
  const contactLabel = el("label", { for: "verify-contact" });
  const verifyBtn = el("button", { type: "submit", "data-testid": "verify-submit" });
  const verifyError = el("p", { class: "error", role: "alert" });
  const verifyTitle = el("h2", { class: "sr-only-if-small" });
  const verifyForm = el("form", { class: "verify", "data-testid": "verify-form", onsubmit: (e) => { e.preventDefault(); verify(); } },
    verifyTitle, el("div", {}, orderLabel, orderInput), el("div", {}, contactLabel, contactInput), verifyBtn, verifyError);
  document.body.append(el("div", { class: "verify-wrap" }, status), verifyForm);

  // Data rights (ARCO / GDPR): a signed-in customer's request reaches staff as a handoff.
  const rightsNote = el("span", { class: "muted", role: "status", "data-testid": "privacy-status" });
  async function askRight(kind) {
    try {
      await client.post("/v1/privacy/my-requests", { kind });
      rightsNote.textContent = TEXT[lang].asked;
    } catch (err) { rightsNote.textContent = err.message; }
  }
  const accessBtn = el("button", { type: "button", class: "secondary small", "data-testid": "privacy-access", onclick: () => askRight("access") });
  const erasureBtn = el("button", { type: "button", class: "secondary small", "data-testid": "privacy-erasure", onclick: () => askRight("erasure") });
  const rightsTitle = el("summary", {});
  const rights = el("details", { class: "privacy", "data-testid": "privacy" }, rightsTitle, accessBtn, erasureBtn, rightsNote);
  document.body.append(rights);

  const chatRoot = el("div", { style: "flex:1;min-height:0;display:flex;flex-direction:column" });
  document.body.append(chatRoot);
  const pane = new P.ChatPane({ client, root: chatRoot, lang: () => lang, storageKey: "promesa.widget.thread",
    onChoose: (option, d, chat) => {
      const node = option.node_id || (option.node_ids || [])[0];
      chat.ask(lang === "es" ? `Quiero recogerlo en ${node}, pedido ${d.order_id}` : `I'd like to pick up order ${d.order_id} at ${node}`);
    } });

  function paint() {
    const t = TEXT[lang];
    document.documentElement.lang = lang;
    title.textContent = t.title;
    toggle.textContent = t.lang;
    orderLabel.textContent = t.orderId;
    contactLabel.textContent = t.contact;
    verifyBtn.textContent = t.verifyBtn;
    verifyTitle.textContent = t.verify;
    pane.setPlaceholder(t.placeholder, t.send);
    const scoped = sessionStorage.getItem("promesa.widget.scope");
    status.textContent = client.token ? (scoped ? `${t.verified} ${scoped}` : t.signedIn) : "";
    verifyForm.hidden = Boolean(client.token);
    rights.hidden = !client.token || Boolean(scoped);  // signed-in customers, not visitors
    rightsTitle.textContent = t.myData;
    accessBtn.textContent = t.askAccess;
    erasureBtn.textContent = t.askErasure;
  }

  function splitContact(value) {
    const v = value.trim();
    if (v.includes("@")) return { email: v };
    return { phone: v };  // a postal code alone never verifies (issue #16)
  }

  async function verify() {
    verifyError.textContent = "";
    try {
      const body = Object.assign({ order_id: orderInput.value.trim() }, splitContact(contactInput.value));
      const result = await client.post("/v1/auth/verify-order", body);
      client.setToken(result.access_token || result.token);
      sessionStorage.setItem("promesa.widget.scope", (result.principal && result.principal.order_scope) || body.order_id);
      pane.reset();
      paint();
      pane.input.focus();
    } catch (err) {
      verifyError.textContent = err.status === 422 ? err.message : TEXT[lang].wrong;
    }
  }

  paint();
  pane.bubble("agent", TEXT[lang].hello);
})();
