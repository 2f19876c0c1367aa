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
      helloName: (n) => `Hi ${n}! I can tell you where your order is, change it to pickup, or explain our policies.`,
      lang: "Español", wrong: "Those details don't match an order.",
      emptyOrder: "Enter your order number (for example PO-5000).", emptyContact: "Enter the email or phone of the order.",
      tooMany: "Too many attempts. Please wait a minute before trying again.",
      expired: "Your session has ended. Please verify your order again.",
      offline: "You seem to be offline. Check your connection and try again.",
      human: "Talk to a person", humanAsk: "I'd like to talk to a person",
      quick: ["Where is my order?", "Can I pick it up in a store?", "How do returns work?"],
      myData: "My data", askAccess: "Send me my data", askErasure: "Delete my data", asked: "Your request is with our team; they will contact you.",
      closeLabel: "Close chat", langLabel: "Cambiar a español" },
    es: { title: "Ayuda con tu pedido", placeholder: "Pregunta por tu pedido…", send: "Enviar",
      verify: "Consulta un pedido sin iniciar sesión", orderId: "Número de pedido", contact: "Correo o teléfono",
      verifyBtn: "Verificar", verified: "Verificado: puedes preguntar por el pedido", signedIn: "Sesión iniciada",
      hello: "¡Hola! Puedo decirte dónde está tu pedido, cambiarlo a recoger en tienda o explicarte nuestras políticas.",
      helloName: (n) => `¡Hola, ${n}! Puedo decirte dónde está tu pedido, cambiarlo a recoger en tienda o explicarte nuestras políticas.`,
      lang: "English", wrong: "Esos datos no coinciden con ningún pedido.",
      emptyOrder: "Escribe tu número de pedido (por ejemplo PO-5000).", emptyContact: "Escribe el correo o teléfono del pedido.",
      tooMany: "Demasiados intentos. Espera un minuto antes de volver a intentarlo.",
      expired: "Tu sesión terminó. Verifica tu pedido de nuevo.",
      offline: "Parece que no tienes conexión. Revísala e inténtalo de nuevo.",
      human: "Hablar con una persona", humanAsk: "Quiero hablar con una persona",
      quick: ["¿Dónde está mi pedido?", "¿Puedo recogerlo en tienda?", "¿Cómo funcionan las devoluciones?"],
      myData: "Mis datos", askAccess: "Envíenme mis datos", askErasure: "Borren mis datos", asked: "Tu solicitud está con nuestro equipo; te contactarán.",
      closeLabel: "Cerrar el chat", langLabel: "Switch to English" },
  };
  // The conversation's language: the widget's setting, else the browser's, until the shopper
  // writes — a Spanish question switches the widget (labels and cards) to Spanish.
  let lang = params.get("lang") || sessionStorage.getItem("promesa.widget.lang") ||
    ((navigator.language || "en").toLowerCase().startsWith("es") ? "es" : "en");
  const customerName = params.get("name") || "";
  const client = new P.Client({ storageKey: "promesa.widget.token", token: params.get("token") || null });
  if (params.get("token")) client.setToken(params.get("token"));

  const title = el("h1", {}, "");
  const toggle = el("button", { type: "button", class: "lang-toggle small", "data-testid": "lang-toggle",
    onclick: () => setLang(lang === "es" ? "en" : "es") });
  const close = el("button", { type: "button", class: "close small", "data-testid": "widget-close",
    onclick: () => window.parent.postMessage({ promesa: "close" }, "*") }, "×");
  const inFrame = window.parent !== window;
  document.body.append(el("header", { class: "topbar" }, title, el("div", { class: "row" }, toggle, inFrame ? close : null)));

  const status = el("p", { class: "muted", "data-testid": "auth-status" });
  const orderInput = el("input", { type: "text", id: "verify-order", autocomplete: "off", "data-testid": "verify-order" });
  const contactInput = el("input", { type: "text", id: "verify-contact", autocomplete: "off", "data-testid": "verify-contact" });
  const orderLabel = el("label", { for: "verify-order" });
  const contactLabel = el("label", { for: "verify-contact" });
  const verifyBtn = el("button", { type: "submit", "data-testid": "verify-submit" });
  const verifyError = el("p", { class: "error", role: "alert", "data-testid": "verify-error" });
  const verifyTitle = el("h2", { class: "sr-only-if-small" });
  const verifyForm = el("form", { class: "verify", "data-testid": "verify-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); verify(); } },
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

  P.loadStores(client);
  const chatRoot = el("div", { class: "chat-root" });
  document.body.append(chatRoot);
  let notices = null;
  const pane = new P.ChatPane({ client, root: chatRoot, lang: () => lang, audience: "customer", storageKey: "promesa.widget.thread",
    onReset: () => { if (notices) notices.reset(); },
    onAuthError: (opts) => signOut(opts && opts.silent ? null : TEXT[lang].expired),
    onChoose: (option, d, chat) => {
      // the store's name for the shopper, its code for the agent that must act on it
      const node = (option.nodes || [])[0];
      const store = `${P.nodeName(node)} [${node}]`;
      chat.ask(lang === "es" ? `Sí, lo recojo en ${store}` : `Yes, I'll pick it up at ${store}`);
    } });
  P.widgetPane = pane;  // live.js shows a person's reply in it
  // the notices sent about the customer's orders, in the conversation (live.js refreshes them)
  // a token handed in by the shop is checked once before anything reads with it
  let authorized = Promise.resolve(true);
  notices = new P.WidgetNotices({ client, pane, lang: () => lang, authorized: () => authorized,
    scoped: () => Boolean(sessionStorage.getItem("promesa.widget.scope")) });
  P.widgetNotices = notices;
  // replies a person sent while this tab was closed are in the conversation itself
  pane.ready.then(async () => {
    if (!pane.threadId || !client.token) return;
    try {
      const history = await client.get(`/v1/threads/${encodeURIComponent(pane.threadId)}`);
      history.messages.filter((m) => m.role === "staff").forEach((m) => pane.staff({ id: m.id, text: m.content }));
    } catch (_) { /* an expired session is handled when the shopper writes */ }
  });
  const origAsk = pane.ask.bind(pane);
  pane.ask = (text, opts) => {
    const detected = detectLanguage(text);
    if (detected && detected !== lang) setLang(detected);
    return origAsk(text, opts);
  };
  const human = el("button", { type: "button", class: "human small", "data-testid": "talk-to-person",
    onclick: () => pane.ask(TEXT[lang].humanAsk) });
  toggle.before(human);

  // Spanish markers a shopper's question carries; an English-looking question keeps English.
  function detectLanguage(text) {
    const s = ` ${String(text).toLowerCase()} `;
    if (/[¿¡ñáéíóú]/.test(s) || /\s(mi|pedido|dónde|donde|está|esta|puedo|quiero|cuándo|cuando|tienda|recoger|devolver|hola|gracias|por favor)\s/.test(s)) return "es";
    if (/\s(my|order|where|is|can|want|when|pick|return|hello|hi|thanks|please)\s/.test(s)) return "en";
    return null;
  }

  function setLang(next) {
    lang = next;
    sessionStorage.setItem("promesa.widget.lang", lang);
    paint();
  }

  function quickReplies() {
    const t = TEXT[lang];
    if (!client.token) { pane.extras.replaceChildren(); human.hidden = true; return; }
    human.textContent = t.human;
    human.hidden = !client.token;
    // suggestions while the conversation is empty; "talk to a person" stays in the header
    if (pane.log().some((e) => e.kind === "user")) { pane.extras.replaceChildren(); return; }
    pane.extras.replaceChildren(...t.quick.map((q) => el("button", { type: "button", class: "secondary small chip", "data-testid": "quick-reply",
      onclick: () => pane.ask(q) }, q)));
  }

  function paint() {
    const t = TEXT[lang];
    document.documentElement.lang = lang;
    title.textContent = t.title;
    toggle.textContent = t.lang;
    toggle.setAttribute("aria-label", t.langLabel);
    close.setAttribute("aria-label", t.closeLabel);
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
    pane.input.disabled = !client.token;
    pane.send.disabled = !client.token;
    if (!pane.messages.children.length || pane.messages.querySelector("[data-greeting]")) greet();
    quickReplies();
    if (client.token) notices.refresh();  // in this language
    else { pane.messages.querySelectorAll("[data-notice-id]").forEach((n) => n.remove()); notices.reset(); }
  }

  function greet() {
    const t = TEXT[lang];
    pane.messages.querySelectorAll("[data-greeting]").forEach((n) => n.remove());
    const node = el("div", { class: "msg agent", "data-testid": "msg-agent", "data-greeting": "" }, customerName && client.token ? t.helloName(customerName) : t.hello);
    pane.messages.prepend(node);
  }

  // A token the API refuses (expired, bad): back to "verify your order", never "Signed in".
  function signOut(message) {
    client.setToken(null);
    sessionStorage.removeItem("promesa.widget.scope");
    paint();
    if (message) verifyError.textContent = message;
    orderInput.focus();
  }

  function splitContact(value) {
    const v = value.trim();
    if (v.includes("@")) return { email: v };
    return { phone: v };  // a postal code alone never verifies (issue #16)
  }

  async function verify() {
    const t = TEXT[lang];
    verifyError.textContent = "";
    if (!orderInput.value.trim()) { verifyError.textContent = t.emptyOrder; orderInput.focus(); return; }
    if (!contactInput.value.trim()) { verifyError.textContent = t.emptyContact; contactInput.focus(); return; }
    verifyBtn.disabled = true;
    try {
      const body = Object.assign({ order_id: orderInput.value.trim() }, splitContact(contactInput.value));
      const result = await client.post("/v1/auth/verify-order", body);
      client.setToken(result.access_token || result.token);
      authorized = Promise.resolve(true);
      sessionStorage.setItem("promesa.widget.scope", (result.principal && result.principal.order_scope) || body.order_id);
      pane.reset();
      paint();
      pane.input.focus();
    } catch (err) {
      verifyError.textContent = !err.status ? t.offline : err.status === 429 ? t.tooMany : t.wrong;
    } finally {
      verifyBtn.disabled = false;
    }
  }

  // a token handed in by the shop that the API no longer accepts: say so, offer verification
  if (client.token) {
    authorized = client.get("/v1/auth/me").then(() => true, (err) => {
      if (err.status === 401) signOut(TEXT[lang].expired);
      return err.status !== 401;
    });
  }
  if (pane.restored && pane.log().some((e) => e.kind === "user")) {
    // continue in the language the conversation was in
    const last = pane.log().filter((e) => e.kind === "user").pop();
    const detected = detectLanguage(last.text);
    if (detected) lang = detected;
  }
  paint();
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && inFrame) window.parent.postMessage({ promesa: "close" }, "*"); });
  // the embedding page opened the panel: put the cursor where the shopper starts
  window.addEventListener("message", (e) => {
    if (e.source !== window.parent || !e.data || e.data.promesa !== "focus") return;
    (verifyForm.hidden ? pane.input : orderInput).focus();
  });
})();
