// Staff sign-in for the copilot and the ops console: paste a token (`promesa token --role …`),
// or, in development, take a demo token for the role.
(function (global) {
  "use strict";
  const P = global.Promesa;
  const el = P.el;

  P.staffSignIn = function staffSignIn(options) {
    const client = options.client;
    const box = el("section", { class: "panel", "aria-label": "Sign in", "data-testid": "signin" });
    const tokenInput = el("input", { type: "password", id: "token", class: "grow", placeholder: "Bearer token", "data-testid": "token-input" });
    const error = el("p", { class: "error", role: "alert" });
    const done = () => { box.hidden = true; options.onReady(); };
    box.append(
      el("h2", {}, options.title),
      el("div", { class: "row" },
        el("div", { class: "grow" }, el("label", { for: "token" }, "Token"), tokenInput),
        el("button", { type: "button", onclick: () => { client.setToken(tokenInput.value.trim()); check(); } }, "Sign in"),
        el("button", { type: "button", class: "secondary", "data-testid": "demo-signin", onclick: demo }, `Demo ${options.role}`)),
      error);
    async function check() {
      try { await client.get("/v1/auth/me"); done(); } catch (err) { client.setToken(null); error.textContent = err.message; }
    }
    async function demo() {
      try {
        const result = await client.post("/v1/auth/demo-token", { role: options.role, subject: options.subject });
        client.setToken(result.access_token || result.token);
        done();
      } catch (err) { error.textContent = err.message; }
    }
    options.root.append(box);
    if (client.token) check();
    return box;
  };
})(window);
