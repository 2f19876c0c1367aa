// One-line embed: <script src="https://…/widget.js" data-token="…" data-lang="es" data-name="María"></script>
// Adds a chat bubble that opens the Promesa widget in an isolated iframe: a floating panel on
// a desktop, a full-screen sheet on a phone. Escape or the panel's × closes it and focus
// returns to the bubble.
(function () {
  "use strict";
  const script = document.currentScript;
  const origin = new URL(script.src, location.href).origin;
  const token = script.dataset.token || "";
  const lang = script.dataset.lang || "";
  const name = script.dataset.name || "";
  const label = script.dataset.label || ((lang || navigator.language || "en").startsWith("es") ? "Ayuda con tu pedido" : "Order help");
  const PHONE = window.matchMedia("(max-width: 600px)");

  const bubble = document.createElement("button");
  bubble.type = "button";
  // an inline SVG: no emoji font needed on the shopper's machine
  bubble.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" ' +
    'd="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  bubble.setAttribute("aria-label", label);
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("data-testid", "promesa-bubble");
  Object.assign(bubble.style, { position: "fixed", right: "16px", bottom: "16px", width: "60px", height: "60px",
    borderRadius: "50%", border: "0", background: "#0b5d4b", color: "#fff", cursor: "pointer", padding: "0",
    display: "flex", alignItems: "center", justifyContent: "center", boxSizing: "border-box",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", zIndex: "2147483646" });

  const frame = document.createElement("iframe");
  const hash = new URLSearchParams();
  if (token) hash.set("token", token);
  if (lang) hash.set("lang", lang);
  if (name) hash.set("name", name);
  frame.src = `${origin}/widget#${hash.toString()}`;
  frame.title = label;
  frame.setAttribute("data-testid", "promesa-frame");
  Object.assign(frame.style, { position: "fixed", border: "1px solid #d5dbe1", background: "#fff", display: "none",
    boxSizing: "border-box", zIndex: "2147483647" });

  function place() {
    if (PHONE.matches) {
      // a full-screen sheet: the whole viewport, above the bubble
      Object.assign(frame.style, { inset: "0", right: "0", bottom: "0", width: "100vw", height: "100dvh", borderRadius: "0",
        boxShadow: "none", border: "0" });
    } else {
      Object.assign(frame.style, { inset: "auto", right: "20px", bottom: "92px", width: "min(420px, calc(100vw - 40px))",
        height: "min(680px, calc(100vh - 120px))", borderRadius: "14px", boxShadow: "0 8px 30px rgba(0,0,0,.25)",
        border: "1px solid #d5dbe1" });
    }
  }
  place();
  PHONE.addEventListener("change", place);

  const isOpen = () => frame.style.display !== "none";
  function setOpen(open) {
    frame.style.display = open ? "block" : "none";
    bubble.setAttribute("aria-expanded", String(open));
    // on a phone the sheet covers the page; the bubble would sit on top of the composer
    bubble.style.display = open && PHONE.matches ? "none" : "flex";
    if (open) {
      frame.focus();
      // focus the first field inside the widget: no extra Tab to start typing
      frame.contentWindow.postMessage({ promesa: "focus" }, origin);
    } else {
      bubble.focus();
    }
  }
  bubble.addEventListener("click", () => setOpen(!isOpen()));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && isOpen()) setOpen(false); });
  window.addEventListener("message", (e) => {
    if (e.origin === origin && e.source === frame.contentWindow && e.data && e.data.promesa === "close" && isOpen()) setOpen(false);
  });
  document.body.append(bubble, frame);
})();
