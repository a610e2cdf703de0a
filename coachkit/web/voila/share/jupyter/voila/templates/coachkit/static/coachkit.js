// coachkit workbook pages: two small helpers. Nothing here talks to any host
// but the coachkit server.
(function () {
  "use strict";

  var NOTICE =
    "This page has stopped: it was left unused for a long time, or coachkit " +
    "was shut down. Reload the page to keep working. Everything you saved is kept.";
  var CHECK_EVERY_MS = 30000;

  function showStopped() {
    if (document.getElementById("coachkit-stopped")) {
      return;
    }
    var bar = document.createElement("div");
    bar.id = "coachkit-stopped";
    bar.className = "coachkit-stopped";
    bar.setAttribute("role", "alert");
    var text = document.createElement("span");
    text.textContent = NOTICE;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload";
    button.addEventListener("click", function () {
      window.location.reload();
    });
    bar.appendChild(text);
    bar.appendChild(button);
    document.body.insertBefore(bar, document.body.firstChild);
  }

  // The page's configuration (base URL, kernel id), as Voila writes it.
  function pageConfig() {
    var el = document.getElementById("jupyter-config-data");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (err) {
      return {};
    }
  }

  function start() {
    var config = pageConfig();
    var base = config.baseUrl || "/";

    // Closing a tab asks the server to stop the page's kernel, but the server
    // accepts that only from a browser holding its _xsrf cookie. The landing
    // page hands it out; fetch it once for pages opened directly.
    if (!/(^|;\s*)_xsrf=/.test(document.cookie)) {
      fetch(base, { credentials: "same-origin" }).catch(function () {});
    }

    // The server stops kernels that sat idle too long. The widgets would then
    // silently do nothing, so check now and then and tell the user.
    if (!config.kernelId) {
      return;
    }
    var url = base + "api/kernels/" + encodeURIComponent(config.kernelId);
    var timer = null;
    function stopped() {
      window.clearInterval(timer);
      showStopped();
    }
    function check() {
      fetch(url, { credentials: "same-origin", cache: "no-store" }).then(
        function (response) {
          if (response.status === 404) {
            stopped();
          }
        },
        stopped
      );
    }
    timer = window.setInterval(check, CHECK_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        check();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
