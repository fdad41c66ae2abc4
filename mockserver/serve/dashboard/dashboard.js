// The dashboard's live request journal: loads /__mock/journal, then follows
// /__mock/journal/stream (Server-Sent Events). No framework, no build step.
"use strict";

(() => {
  const list = document.getElementById("entries");
  const status = document.getElementById("journal-status");
  const filters = document.getElementById("filters");
  const MAX = 500; // entries kept on the page
  const SKIPPED = new Set(["host", "content-length", "connection", "accept-encoding", "user-agent"]);
  const shown = new Map(); // id -> element

  // --control-token: taken once from #token=... (then dropped from the address) or asked
  // for on a 401, kept for this tab, and sent as a header: never in a URL the server logs.
  const TOKEN_KEY = "mockserver-control-token";
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has("token")) {
    sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  const token = () => sessionStorage.getItem(TOKEN_KEY);
  const control = (init = {}) => {
    const headers = { "Content-Type": "application/json", ...(init.headers || {}) };
    if (token()) headers["X-Mock-Token"] = token();
    return { cache: "no-store", ...init, headers };
  };
  async function call(url, init = {}) {
    let response = await fetch(url, control(init));
    if (response.status === 401) {
      const given = prompt("This mock wants its control token (--control-token):");
      if (given) {
        sessionStorage.setItem(TOKEN_KEY, given);
        response = await fetch(url, control(init));
      }
    }
    return response;
  }

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  };

  const quote = (text) => "'" + String(text).replaceAll("'", "'\\''") + "'";

  function curl(entry) {
    const url = location.origin + entry.path + (entry.query ? "?" + entry.query : "");
    const parts = ["curl -i"];
    if (entry.method !== "GET") parts.push("-X " + entry.method);
    parts.push(quote(url));
    for (const [name, value] of entry.headers) {
      if (!SKIPPED.has(name.toLowerCase())) parts.push("-H " + quote(name + ": " + value));
    }
    if (entry.body !== undefined) parts.push("--data-raw " + quote(entry.body));
    return parts.join(" \\\n  ");
  }

  function time(at) {
    const date = new Date(at);
    return date.toLocaleTimeString([], { hour12: false }) + "." + String(date.getMilliseconds()).padStart(3, "0");
  }

  function details(entry) {
    const body = el("div", { class: "detail" });
    if (entry.template) {
      body.append(el("p", {}, "Operation ", el("code", { text: entry.template }),
        entry.operation ? " (" + entry.operation + ")" : ""));
    }
    if (entry.near && entry.near.length) {
      const items = entry.near.map((n) => el("li", {}, el("code", { text: n })));
      body.append(el("p", { text: "No operation matched. Did you mean:" }), el("ul", {}, ...items));
    }
    if (entry.detail) body.append(el("p", { class: "problem", text: entry.detail }));
    if (entry.violations && entry.violations.length) {
      const sided = entry.violations.some((v) => v.side);  // proxied: request or response
      const rows = entry.violations.map((v) => el("tr", {},
        sided ? el("td", { text: v.side }) : null,
        el("td", {}, el("code", { text: v.pointer })), el("td", { text: v.keyword }),
        el("td", { text: v.message })));
      body.append(el("table", { class: "violations" },
        el("caption", { text: entry.drift ? "Drift from the document" : "Violations" }),
        el("thead", {}, el("tr", {}, sided ? el("th", { scope: "col", text: "side" }) : null,
          el("th", { scope: "col", text: "pointer" }),
          el("th", { scope: "col", text: "keyword" }), el("th", { scope: "col", text: "message" }))),
        el("tbody", {}, ...rows)));
    }
    const from = entry.source === "problem" ? "the API's error shape" : entry.source;
    const facts = [`answered ${entry.status} from ${from}`, `${entry.ms} ms`];
    if (entry.delay_ms) facts.push(`delay ${entry.delay_ms} ms`);
    if (entry.fault) facts.push(`fault ${entry.fault}`);
    if (entry.session) facts.push(`session ${entry.session}`);
    if (entry.upstream) {
      const up = entry.upstream;
      facts.push(up.status === null ? `provider ${up.url}: ${up.note}`
        : `provider ${up.url} answered ${up.status} in ${up.ms} ms`);
    }
    body.append(el("p", { class: "muted", text: facts.join(" · ") }));
    const command = curl(entry);
    const copy = el("button", { type: "button", class: "copy", text: "Copy curl" });
    copy.addEventListener("click", () => {
      navigator.clipboard?.writeText(command).then(() => { copy.textContent = "Copied"; }, () => {});
    });
    body.append(el("div", { class: "curl" }, el("pre", {}, el("code", { text: command })), copy));
    return body;
  }

  function row(entry) {
    const kind = entry.status >= 500 ? "s5" : entry.status >= 400 ? "s4" : "s2";
    const summary = el("summary", {},
      el("span", { class: "time", text: time(entry.at) }),
      el("code", { class: "method", text: entry.method }),
      el("code", { class: "path", text: entry.path + (entry.query ? "?" + entry.query : "") }),
      el("span", { class: "status " + kind, text: String(entry.status) }),
      el("span", { class: "verdict", text: entry.fault ? entry.fault : entry.drift ? "drift" : entry.verdict }),
      el("span", { class: "ms", text: entry.ms + " ms" }));
    const item = el("li", { class: "entry " + entry.verdict, "data-id": entry.id },
      el("details", {}, summary, details(entry)));
    item.entry = entry;
    return item;
  }

  function matches(entry) {
    const form = new FormData(filters);
    const api = form.get("api"), wanted = String(form.get("status") || "").trim().toLowerCase();
    const path = String(form.get("path") || "").trim();
    if (api && entry.api !== api) return false;
    if (form.get("refused") && entry.verdict !== "refused") return false;
    if (form.get("drift") && !entry.drift) return false;
    if (path && !entry.path.includes(path)) return false;
    if (wanted) {
      const code = String(entry.status);
      if (/^\dxx$/.test(wanted) ? code[0] !== wanted[0] : code !== wanted) return false;
    }
    return true;
  }

  function add(entry) {
    if (shown.has(entry.id)) return;
    const item = row(entry);
    item.hidden = !matches(entry);
    shown.set(entry.id, item);
    showSession(entry.session);
    // newest first: place by time among what is shown
    let before = list.firstElementChild;
    while (before && before.entry.at > entry.at) before = before.nextElementSibling;
    list.insertBefore(item, before);
    while (shown.size > MAX) {
      const last = list.lastElementChild;
      shown.delete(last.dataset.id);
      last.remove();
    }
    count();
  }

  // Sessions of the stateful mock: those /__mock/state knows and those requests named.
  const sessionList = document.getElementById("session-list");
  const sessions = new Set();

  function showSession(name) {
    if (!name || sessions.has(name)) return;
    sessions.add(name);
    const button = el("button", { type: "button", text: "Reset " + name });
    button.addEventListener("click", async () => {
      await call("/__mock/reset?session=" + encodeURIComponent(name), { method: "POST" });
      for (const item of [...list.children]) {
        if (item.entry.session === name) { shown.delete(item.dataset.id); item.remove(); }
      }
      count();
    });
    sessionList.append(el("li", { "data-session": name }, el("code", { text: name }), " ", button));
  }

  async function loadSessions() {
    const response = await call("/__mock/state");
    if (response.ok) for (const name of Object.keys((await response.json()).sessions || {})) showSession(name);
  }

  // The state store's health (GET /__mock/state?sessions=0, which pings it): checked
  // every few seconds, and soon after each journal entry, so a failing store shows as the
  // requests it fails do, and its recovery without a reload.
  const health = document.getElementById("store-health");
  const HEALTH_EVERY = 2000;
  let checking = false, soon = null;

  function showHealth(h) {
    const name = h.kind + " " + h.store;
    health.dataset.status = h.status;
    health.className = "store " + (h.status === "ok" ? "s2" : "s5");
    if (h.status === "ok") {
      const ping = h.ping_ms === null ? "" : ` · ping ${h.ping_ms.toFixed(1)} ms`;
      const last = h.last_error ? ` · last error at ${time(h.last_error.at * 1000)}: ${h.last_error.error}` : "";
      health.replaceChildren("State store ", el("code", { text: name }), `: ok${ping}${last}`);
    } else {
      health.replaceChildren("State store ", el("code", { text: name }),
        `: failing since ${time(h.since * 1000)}: ${h.error}`);
    }
  }

  async function checkHealth() {
    if (checking) return;
    checking = true;
    try {
      const response = await fetch("/__mock/state?sessions=0", control());
      if (response.status === 200 || response.status === 503) showHealth((await response.json()).health);
    } catch (error) {
      health.dataset.status = "unknown";
      health.textContent = "State store: the mock does not answer";
    } finally {
      checking = false;
    }
  }

  function checkSoon() {
    if (soon === null) soon = setTimeout(() => { soon = null; checkHealth(); }, 200);
  }

  function count() {
    const visible = [...list.children].filter((c) => !c.hidden).length;
    status.textContent = `${visible} request${visible === 1 ? "" : "s"} shown · live`;
  }

  function clear() {
    list.replaceChildren();
    shown.clear();
    sessionList.replaceChildren();
    sessions.clear();
    count();
  }

  async function load() {
    const response = await call("/__mock/journal?limit=" + MAX);
    const body = await response.json();
    for (const entry of body.entries.reverse()) add(entry);
    count();
  }

  const opened = () => { load().catch(() => {}); loadSessions().catch(() => {}); };
  const events = { entry: (data) => { add(JSON.parse(data)); checkSoon(); }, reset: clear };

  function follow() {
    if (token()) { followWithToken(); return; }
    const stream = new EventSource("/__mock/journal/stream");
    stream.addEventListener("open", opened);
    stream.addEventListener("entry", (event) => events.entry(event.data));
    stream.addEventListener("reset", clear);
    stream.addEventListener("error", () => { status.textContent = "Reconnecting…"; });
  }

  // EventSource cannot send a header: with a token, the stream is read through fetch.
  async function followWithToken() {
    for (;;) {
      try {
        const response = await fetch("/__mock/journal/stream", control());
        if (!response.ok) throw new Error(String(response.status));
        opened();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          buffer += chunk.value;
          const blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          for (const block of blocks) dispatch(block);
        }
      } catch (error) {
        status.textContent = "Reconnecting…";
      }
      await new Promise((done) => setTimeout(done, 500));
    }
  }

  function dispatch(block) {
    let name = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (events[name]) events[name](data);
  }

  filters.addEventListener("input", () => {
    for (const item of list.children) item.hidden = !matches(item.entry);
    count();
  });
  filters.addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("reset").addEventListener("click", async () => {
    await call("/__mock/reset", { method: "POST" });
    clear();
  });
  // A mock started with --control-token answers 401 until the token is known: ask first.
  (token() ? Promise.resolve() : call("/__mock/state")).catch(() => {}).finally(() => {
    follow();
    checkHealth();
    setInterval(checkHealth, HEALTH_EVERY);
  });
})();
