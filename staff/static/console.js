/* Staff console: keeps the page title's count of new booking requests current, and says
   when new ones arrive, without reloading the page (polls /api/bookings/new). */
(function () {
  "use strict";
  var counter = document.getElementById("new-count");
  if (!counter) return;
  var shown = parseInt(counter.getAttribute("data-new"), 10) || 0;
  var baseTitle = document.title.replace(/^\(\d+\)\s*/, "");
  function update(count) {
    document.title = (count ? "(" + count + ") " : "") + baseTitle;
    if (count > shown) document.getElementById("new-arrived").hidden = false;
  }
  function poll() {
    fetch("/api/bookings/new", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (body) { if (body && typeof body.new === "number") update(body.new); })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }
  setInterval(poll, 10000);
})();

/* Teach: choosing "Another topic..." clears the radio choice of that question, and back. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-for]").forEach(function (select) {
    var radios = document.querySelectorAll('input[type="radio"][name="' + select.getAttribute("data-for") + '"]');
    select.addEventListener("change", function () {
      if (select.value) radios.forEach(function (radio) { radio.checked = false; });
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () { select.value = ""; });
    });
  });
})();

/* Answers: placeholder chips insert at the cursor; the character count follows the text. */
(function () {
  "use strict";
  var box = document.getElementById("e-text");
  if (!box) return;
  var count = document.getElementById("e-count");
  var max = box.getAttribute("maxlength");
  function recount() { count.textContent = box.value.length + " of " + max + " characters"; }
  box.addEventListener("input", recount);
  document.querySelectorAll(".chip[data-insert]").forEach(function (chip) {
    chip.addEventListener("click", function () {
      var text = chip.getAttribute("data-insert");
      var start = box.selectionStart, end = box.selectionEnd;
      box.value = box.value.slice(0, start) + text + box.value.slice(end);
      box.focus();
      box.selectionStart = box.selectionEnd = start + text.length;
      recount();
    });
  });
})();

/* Going live: while a training runs, follow its progress, then show the outcome. */
(function () {
  "use strict";
  var panel = document.getElementById("golive");
  if (!panel || panel.getAttribute("data-state") !== "running") return;
  var bar = document.getElementById("golive-progress");
  var step = document.getElementById("golive-step");
  var time = document.getElementById("golive-time");
  var baseTitle = document.title;
  function poll() {
    fetch("/api/go-live", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (job) {
        if (!job) return;
        if (job.state !== "running") { window.location.reload(); return; }
        bar.value = job.progress;
        bar.textContent = job.progress + "%";
        step.textContent = job.step_title + "…";
        time.textContent = job.elapsed + " s so far; usually about " + job.estimate + " s in all. The assistant keeps answering meanwhile, as before.";
        document.title = job.progress + "% · " + baseTitle;
        document.querySelectorAll("#golive .steps li").forEach(function (item, index) {
          var done = index < job.steps_done.length;
          item.className = done ? "done" : (index === job.steps_done.length ? "now" : "");
          item.querySelector(".num").textContent = done ? "✓" : String(index + 1);
        });
      })
      .catch(function () { /* try again at the next tick */ });
  }
  setInterval(poll, 2000);
})();

/* Live hand-off, on every console page: counts visitors waiting for a person (title and menu),
   chimes when one arrives, and keeps this staff member present (idle consoles are released). */
(function () {
  "use strict";
  if (!document.body.hasAttribute("data-live-poll")) return;
  var badge = document.getElementById("live-count");
  var baseTitle = document.title.replace(/^\(\d+ waiting\)\s*/, "");
  var known = null;
  function chime() {
    try {
      var AudioContext = window.AudioContext || window.webkitAudioContext;
      var context = new AudioContext();
      var tone = context.createOscillator();
      var gain = context.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.08;
      tone.connect(gain).connect(context.destination);
      tone.start();
      tone.stop(context.currentTime + 0.25);
    } catch (e) { /* no sound available: the count still shows */ }
  }
  function poll() {
    fetch("/api/live", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (live) {
        if (!live) return;
        if (badge) badge.textContent = live.waiting ? String(live.waiting) + " waiting" : "";
        document.title = (live.waiting ? "(" + live.waiting + " waiting) " : "") + baseTitle;
        if (known !== null && live.waiting > known) chime();
        known = live.waiting;
      })
      .catch(function () { /* try again at the next tick */ });
  }
  poll();
  setInterval(poll, 3000);
})();

/* A live conversation: the visitor's messages appear as they arrive; replies are sent without
   reloading; a clinic answer can be inserted into the reply box. */
(function () {
  "use strict";
  var list = document.getElementById("live-lines");
  if (!list) return;
  var handoff = list.getAttribute("data-handoff");
  var shown = list.children.length;
  function line(entry) {
    var who = entry.who === "visitor" ? "Visitor" : entry.who === "staff" ? entry.staff + " (staff)" : "Assistant";
    var item = document.createElement("li");
    item.className = "line " + (entry.who === "visitor" ? "visitor" : entry.who === "staff" ? "staff" : "assistant");
    var meta = document.createElement("div");
    meta.className = "meta";
    var label = document.createElement("span");
    label.className = "who-label";
    label.textContent = who;
    var time = document.createElement("time");
    time.textContent = " " + (entry.when || "");
    meta.appendChild(label);
    meta.appendChild(time);
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = entry.text || "";
    item.appendChild(meta);
    item.appendChild(bubble);
    return item;
  }
  function poll() {
    fetch("/api/live/" + handoff, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (body) {
        if (!body || !Array.isArray(body.lines)) return;
        body.lines.slice(shown).forEach(function (entry) { list.appendChild(line(entry)); });
        if (body.lines.length > shown) list.scrollTop = list.scrollHeight;
        shown = Math.max(shown, body.lines.length);
      })
      .catch(function () { /* try again at the next tick */ });
  }
  setInterval(poll, 1500);
  list.scrollTop = list.scrollHeight;

  var form = document.getElementById("live-reply");
  if (form) {
    var box = form.querySelector("textarea");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = box.value.trim();
      if (!text) return;
      var data = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", credentials: "same-origin", body: data, headers: { Accept: "application/json" } })
        .then(function (reply) { if (reply.ok) { box.value = ""; poll(); } })
        .catch(function () { /* the text stays in the box to send again */ });
    });
  }
  var canned = document.querySelector("select[data-canned-for]");
  if (canned) {
    canned.addEventListener("change", function () {
      var box = document.getElementById(canned.getAttribute("data-canned-for"));
      if (canned.value) { box.value = (box.value ? box.value + " " : "") + canned.value; box.focus(); }
      canned.value = "";
    });
  }
})();
