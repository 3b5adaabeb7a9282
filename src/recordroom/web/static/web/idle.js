/* Automatic logoff on the client (HIPAA 164.312(a)(2)(iii); ONC 170.315(d)(5)).
 * The server is the authority and ends the session on its own; this script warns before the time-out
 * and, when it comes, clears the page so no PHI stays on screen, then goes to the sign-in page.
 * Any request to the server (a page load, an htmx request, "Stay signed in") restarts the clock. */
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.dataset.idleTimeout || "0", 10);
  if (!timeout) { return; }
  var warning = Math.min(parseInt(body.dataset.idleWarning || "60", 10), Math.max(timeout - 1, 1));
  var dialog = document.getElementById("idle-warning");
  var countdown = document.getElementById("idle-countdown");
  var keepalive = document.getElementById("idle-keepalive");
  var deadline = 0;
  var ticker = null;

  function restart() {
    deadline = Date.now() + timeout * 1000;
    if (dialog) { dialog.hidden = true; }
  }

  function clearPage() {
    window.clearInterval(ticker);
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var main = document.createElement("main");
    main.id = "main";
    var heading = document.createElement("h1");
    heading.textContent = "Signed out for inactivity";
    main.appendChild(heading);
    body.appendChild(main);
    document.title = "Signed out · Recordroom";
    window.location.replace(body.dataset.timedOutUrl);
  }

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) { clearPage(); return; }
    if (left <= warning && dialog) {
      if (dialog.hidden) {
        dialog.hidden = false;
        var button = dialog.querySelector("button");
        if (button) { button.focus(); }
      }
      if (countdown) { countdown.textContent = String(left); }
    }
  }

  if (keepalive) {
    keepalive.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = keepalive.querySelector("input[name=csrfmiddlewaretoken]");
      window.fetch(keepalive.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" }
      }).then(function (response) {
        if (response.ok) { restart(); } else { clearPage(); }
      }, clearPage);
    });
  }
  document.addEventListener("htmx:afterRequest", restart);
  restart();
  ticker = window.setInterval(tick, 1000);
})();
