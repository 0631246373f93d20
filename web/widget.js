/*
 * Clinic chat widget: one script tag, no dependencies, talks to Rasa's REST webhook.
 *
 *   <script src="https://assistant.example/widget.js"
 *           data-server="https://assistant.example:5005"
 *           data-primary-color="#2f6f73"
 *           data-clinic-phone="(212) 555-0100"></script>
 *
 * The greeting and its quick replies are the assistant's own (utter_greet in domain.yml):
 * the widget asks for them with "/greet" when a conversation starts, so staff edit them in
 * one place. The only sentence of the widget's own is the one shown when the assistant
 * can't be reached, which carries the clinic's phone from the page.
 *
 * Everything a visitor types or a response carries is rendered as text (textContent),
 * never as HTML; phone numbers become tel: links and URLs become links, built as DOM nodes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = {
    server: (script && script.dataset.server) || "http://127.0.0.1:5005",
    primary: (script && script.dataset.primaryColor) || "#2f6f73",
    phone: (script && script.dataset.clinicPhone) || "",
    title: (script && script.dataset.title) || "Ask us about micro-needling",
    maxChars: (script && script.dataset.maxMessageChars) || "",
    storageKey: "clinic-chat",
    timeoutMs: 20000,
    retryDelayMs: 1000,  // before the one automatic retry of a message that got no answer
    livePollMs: 1500,
  };

  // ---- state kept across reloads --------------------------------------------------
  function loadState() {
    try {
      var saved = JSON.parse(localStorage.getItem(config.storageKey) || "null");
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.history)) return saved;
    } catch (e) { /* a broken entry starts a new conversation */ }
    return { sender: newSenderId(), history: [], open: false };
  }
  function newSenderId() {
    return "web-" + randomHex(12);
  }
  function randomHex(count) {
    var bytes = new Uint8Array(count);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function saveState() {
    try { localStorage.setItem(config.storageKey, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  var state = loadState();

  // ---- DOM ----------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // A speech-bubble icon drawn as SVG: emoji need a font that many machines lack.
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  var style = el("style", { text: [
    ".cw-root{position:fixed;right:20px;bottom:20px;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2a2e}",
    ".cw-launcher{width:60px;height:60px;border-radius:50%;border:0;background:var(--cw-primary);color:#fff;cursor:pointer;box-shadow:0 6px 18px rgba(0,0,0,.25);float:right;display:flex;align-items:center;justify-content:center}",
    ".cw-launcher:focus-visible,.cw-panel button:focus-visible,.cw-panel textarea:focus-visible{outline:3px solid #f2b84b;outline-offset:2px}",
    ".cw-panel{display:none;flex-direction:column;width:370px;max-width:calc(100vw - 24px);height:560px;max-height:calc(100vh - 110px);background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);overflow:hidden;margin-bottom:12px}",
    ".cw-open .cw-panel{display:flex}",
    ".cw-header{background:var(--cw-primary);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}",
    ".cw-header h2{font-size:16px;margin:0;flex:1}",
    ".cw-header button{background:transparent;border:1px solid rgba(255,255,255,.6);color:#fff;border-radius:6px;padding:4px 8px;cursor:pointer;font-size:13px}",
    ".cw-log{flex:1;overflow-y:auto;padding:12px;background:#f6f8f8}",
    ".cw-msg{max-width:85%;margin:6px 0;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}",
    ".cw-bot{background:#fff;border:1px solid #dfe6e6;border-bottom-left-radius:4px}",
    ".cw-user{background:var(--cw-primary);color:#fff;margin-left:auto;border-bottom-right-radius:4px}",
    ".cw-user a{color:#fff}",
    ".cw-staff{background:#fff8e6;border:1px solid #e8d3a0;border-bottom-left-radius:4px}",
    ".cw-name{display:block;font-size:12px;font-weight:700;color:#6b4500;margin-bottom:2px}",
    ".cw-note{text-align:center;color:#4f5f62;font-size:13px;margin:8px 0}",
    ".cw-error{background:#fff4f2;border:1px solid #f0b8ad;color:#7a2415}",
    ".cw-buttons{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 10px}",
    ".cw-buttons button{border:1px solid var(--cw-primary);background:#fff;color:var(--cw-primary);border-radius:16px;padding:5px 11px;cursor:pointer;font-size:14px}",
    ".cw-buttons button:hover{background:var(--cw-primary);color:#fff}",
    ".cw-typing{display:none;padding:0 14px 6px;color:#5b6b6e;font-size:13px}",
    ".cw-busy .cw-typing{display:block}",
    ".cw-form{display:flex;gap:6px;padding:10px;border-top:1px solid #e3e8e8}",
    ".cw-form textarea{flex:1;resize:none;border:1px solid #c9d3d3;border-radius:8px;padding:8px;font:inherit;height:42px}",
    ".cw-form button{border:0;border-radius:8px;background:var(--cw-primary);color:#fff;padding:0 14px;cursor:pointer;font:inherit}",
    ".cw-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:480px){.cw-root{right:8px;bottom:8px}.cw-panel{width:calc(100vw - 16px);height:calc(100vh - 90px)}}",
  ].join("\n") });

  var log = el("div", { class: "cw-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var typing = el("div", { class: "cw-typing", "aria-hidden": "true", text: "Typing…" });
  var input = el("textarea", { "aria-label": "Your message", placeholder: "Type your question…", rows: "1" });
  // The server's limit, when the page says it; longer messages get the server's own reply.
  if (/^\d+$/.test(config.maxChars)) input.setAttribute("maxlength", config.maxChars);
  var sendButton = el("button", { type: "submit", text: "Send" });
  var form = el("form", { class: "cw-form", onsubmit: function (event) { event.preventDefault(); submitTyped(); } }, [input, sendButton]);
  var restart = el("button", { type: "button", text: "Start over", "aria-label": "Start over with a new conversation", onclick: startOver });
  var close = el("button", { type: "button", text: "✕", "aria-label": "Close chat", onclick: function () { setOpen(false); } });
  var panel = el("section", { class: "cw-panel", role: "dialog", "aria-label": config.title }, [
    el("div", { class: "cw-header" }, [el("h2", { text: config.title }), restart, close]),
    log, typing, form,
  ]);
  var launcher = el("button", { class: "cw-launcher", type: "button", "aria-label": "Open chat", "aria-expanded": "false", onclick: function () { setOpen(!state.open); } }, [chatIcon()]);
  var root = el("div", { class: "cw-root", "data-clinic-chat": "" }, [panel, launcher]);
  root.style.setProperty("--cw-primary", config.primary);

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submitTyped(); }
    if (event.key === "Escape") setOpen(false);
  });

  // ---- rendering: text only, with phone numbers and URLs turned into links -------------
  var LINKS = /(https?:\/\/[^\s<>"')]+[^\s<>"').,;!?])|(\+?\(?\d[\d ()\-.]{7,}\d)/g;
  function appendLinkified(parent, text) {
    var last = 0, match;
    LINKS.lastIndex = 0;
    while ((match = LINKS.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement("a");
      if (match[1]) { link.href = match[1]; link.target = "_blank"; link.rel = "noopener noreferrer"; }
      else { link.href = "tel:" + match[2].replace(/[^\d+]/g, ""); }
      link.textContent = match[0];
      parent.appendChild(link);
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function render(entry) {
    if (entry.from === "note") {  // a person joined or left: said between the bubbles
      log.appendChild(el("p", { class: "cw-note", text: entry.text || "" }));
      log.scrollTop = log.scrollHeight;
      return;
    }
    var kind = entry.from === "user" ? "cw-user" : entry.from === "staff" ? "cw-staff" : entry.error ? "cw-bot cw-error" : "cw-bot";
    var bubble = el("div", { class: "cw-msg " + kind });
    if (entry.from === "staff" && entry.name) bubble.appendChild(el("span", { class: "cw-name", text: entry.name }));
    appendLinkified(bubble, entry.text || "");
    log.appendChild(bubble);
    if (entry.buttons && entry.buttons.length) {
      log.appendChild(el("div", { class: "cw-buttons" }, entry.buttons.map(function (button) {
        return el("button", { type: "button", text: String(button.title), onclick: function () { sendMessage(String(button.payload), String(button.title)); } });
      })));
    }
    log.scrollTop = log.scrollHeight;
  }

  function remember(entry) {
    state.history.push(entry);
    state.history = state.history.slice(-100);
    saveState();
    render(entry);
  }

  // A new conversation starts with the assistant's own greeting and quick replies.
  function greet() {
    if (!state.history.length) sendMessage("/greet", null);
  }

  // ---- talking to Rasa -----------------------------------------------------------------
  var busy = false;
  function setBusy(value) {
    busy = value;
    root.classList.toggle("cw-busy", value);
  }

  function submitTyped() {
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendMessage(text, text);
  }

  // Messages wait their turn: one typed while an answer (or the greeting) is on its way is
  // sent right after it, in order, never dropped.
  var queue = [];
  function sendMessage(payload, shown) {
    queue.push({ payload: payload, shown: shown });
    if (!busy) sendNext();
  }

  // `shown` is what the visitor sees as their message; null sends silently (the greeting).
  function sendNext() {
    var next = queue.shift();
    if (!next) return;
    var payload = next.payload, shown = next.shown;
    if (shown !== null) remember({ from: "user", text: shown });
    setBusy(true);
    // One id per message: if the first try gets no answer (a server went away mid-message),
    // the widget sends it once more with the same id, and the server answers it only once.
    var body = { sender: state.sender, message: payload, message_id: randomHex(12) };
    post(body)
      .catch(function (error) {
        if (!error.retryable) throw error;
        return wait(config.retryDelayMs).then(function () {
          body.retry = true;
          return post(body);
        });
      })
      .then(function (messages) {
        (Array.isArray(messages) ? messages : []).forEach(function (message) {
          if (message && (message.text || (message.buttons && message.buttons.length))) {
            remember({ from: "bot", text: message.text || "", buttons: message.buttons || [] });
          }
          if (message && message.custom && message.custom.handoff === "waiting") startLive();
        });
      })
      .catch(function () {
        remember({
          from: "bot",
          error: true,
          text: "Sorry, I can't reach the clinic's assistant right now. Please try again later" + (config.phone ? " or call " + config.phone + "." : "."),
        });
      })
      .then(function () {
        setBusy(false);
        if (queue.length) sendNext(); else input.focus();
      });
  }

  // One POST to the webhook. Rejects with `retryable` set when trying again may help: no
  // answer at all (network, time-out) or the load balancer had no server (502/503/504).
  function post(body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, config.timeoutMs);
    return fetch(config.server.replace(/\/$/, "") + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        clearTimeout(timer);
        // 429: too many messages too fast; the body is a chat reply saying so (shown as one).
        if (response.ok || response.status === 429) return response.json();
        var error = new Error("HTTP " + response.status);
        error.retryable = response.status >= 502 && response.status <= 504;
        throw error;
      }, function (networkError) {
        clearTimeout(timer);
        var error = new Error(String(networkError));
        error.retryable = true;
        throw error;
      });
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // ---- live hand-off: a person from the clinic joins this chat ----------------------------
  // The REST channel pushes nothing, so while a visitor waits for or talks to a person the
  // widget asks for news every two seconds, with its own (random, unguessable) sender id.
  var liveTimer = null;
  function startLive() {
    if (!state.live) { state.live = { cursor: 0, offered: false }; saveState(); }
    if (!liveTimer) liveTimer = setInterval(pollLive, config.livePollMs);
  }
  function stopLive() {
    if (liveTimer) clearInterval(liveTimer);
    liveTimer = null;
    state.live = null;
    saveState();
  }
  function pollLive() {
    if (!state.live) return stopLive();
    var sender = state.sender;
    var url = config.server.replace(/\/$/, "") + "/webhooks/rest/updates?sender=" + encodeURIComponent(sender) +
      "&since=" + encodeURIComponent(String(state.live.cursor || 0));
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (news) {
        if (!news || !state.live || state.sender !== sender) return;
        (news.messages || []).forEach(function (line) {
          if (line.kind === "staff") remember({ from: "staff", name: line.staff, text: line.text });
          else if (line.kind === "joined" || line.kind === "handed_back" || line.kind === "closed" || line.kind === "released") remember({ from: "note", text: line.text });
          else remember({ from: "bot", text: line.text });
        });
        if (typeof news.cursor === "number") state.live.cursor = news.cursor;
        if (news.offer && !state.live.offered) {
          state.live.offered = true;
          remember({ from: "bot", text: news.offer.text, buttons: news.offer.buttons || [] });
        }
        saveState();
        if (news.mode === "bot") stopLive();
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }

  function startOver() {
    stopLive();
    queue = [];
    state = { sender: newSenderId(), history: [], open: true };
    saveState();
    log.textContent = "";
    greet();
    input.focus();
  }

  function setOpen(open) {
    state.open = open;
    saveState();
    root.classList.toggle("cw-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
    if (open) { greet(); input.focus(); } else launcher.focus();
  }

  function mount() {
    document.head.appendChild(style);
    document.body.appendChild(root);
    state.history.forEach(render);
    root.classList.toggle("cw-open", !!state.open);
    if (state.open) greet();
    if (state.live) startLive();  // a page reload in the middle of a hand-off keeps the thread
    launcher.setAttribute("aria-expanded", String(!!state.open));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
