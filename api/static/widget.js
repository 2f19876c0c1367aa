// One-line embed: <script src="https://…/widget.js" data-token="…" data-lang="es"></script>
// Adds a chat bubble that opens the Promesa widget in an isolated iframe.
(function () {
  "use strict";
  const script = document.currentScript;
  const origin = new URL(script.src, location.href).origin;
  const token = script.dataset.token || "";
  const lang = script.dataset.lang || "";
  const label = script.dataset.label || ((lang || navigator.language || "en").startsWith("es") ? "Ayuda con tu pedido" : "Order help");

  const bubble = document.createElement("button");
  bubble.type = "button";
  // an inline SVG: no emoji font needed on the shopper's machine
  bubble.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" ' +
    'd="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  bubble.setAttribute("aria-label", label);
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("data-testid", "promesa-bubble");
  Object.assign(bubble.style, { position: "fixed", right: "20px", bottom: "20px", width: "60px", height: "60px",
    borderRadius: "50%", border: "0", background: "#0b5d4b", color: "#fff", cursor: "pointer",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", zIndex: "2147483646" });

  const frame = document.createElement("iframe");
  const hash = new URLSearchParams();
  if (token) hash.set("token", token);
  if (lang) hash.set("lang", lang);
  frame.src = `${origin}/widget#${hash.toString()}`;
  frame.title = label;
  frame.setAttribute("data-testid", "promesa-frame");
  Object.assign(frame.style, { position: "fixed", right: "20px", bottom: "92px", width: "min(400px, calc(100vw - 40px))",
    height: "min(640px, calc(100vh - 120px))", border: "1px solid #d5dbe1", borderRadius: "14px", background: "#fff",
    boxShadow: "0 8px 30px rgba(0,0,0,.25)", display: "none", zIndex: "2147483647" });

  bubble.addEventListener("click", () => {
    const open = frame.style.display === "none";
    frame.style.display = open ? "block" : "none";
    bubble.setAttribute("aria-expanded", String(open));
    if (open) frame.focus();
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && frame.style.display !== "none") bubble.click(); });
  document.body.append(bubble, frame);
})();
