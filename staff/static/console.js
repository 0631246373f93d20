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
