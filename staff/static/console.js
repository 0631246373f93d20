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
