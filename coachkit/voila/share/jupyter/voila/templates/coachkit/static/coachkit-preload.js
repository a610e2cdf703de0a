// coachkit workbook pages: ask early for what the last page asked for late.
//
// Voila starts a page on the window's load event and only then fetches its
// extensions, the kernel's code, the widgets' code and a font: about 40 files of
// this server, in rounds, each round waiting for the one before. A browser that
// opened a workbook before has them all in its cache. This script, in the page's
// head, asks for all of them at once while the page is still arriving: a served
// page is ready about 0.1 s sooner (benchmarks/RESULTS.md).
//
// It remembers (in this browser's localStorage) which files the last pages asked
// for after they had loaded, for this version of Voila and these extensions only.
// Only files under this server's /voila/ folder are remembered or asked for.
(function () {
  "use strict";

  var STORE = "coachkit-preload";
  var MAX_FILES = 80;
  // After the workbook is ready, the last of its scripts and fonts arrive.
  var SETTLE_MS = 2000;
  var GIVE_UP_MS = 120000;
  var FILE = /\.(js|woff2)(\?v=[0-9A-Za-z]+)?$/;

  // The page's configuration, read when asked: in the head, the early copy; once
  // the page has arrived, the full one. static/coachkit.js uses it too.
  function pageConfig() {
    var el = document.getElementById("jupyter-config-data");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (err) {
      return {};
    }
  }
  window.coachkitPageConfig = pageConfig;

  var config = pageConfig();
  var folder =
    window.location.origin + (config.baseUrl || "/").replace(/\/?$/, "/") + "voila/";
  // Another Voila or other extensions have other files: start again.
  var key = JSON.stringify([
    config.appVersion || "",
    (config.federated_extensions || []).map(function (ext) {
      return ext.name + "/" + ext.load;
    }),
  ]);

  function ours(url) {
    return (
      typeof url === "string" &&
      url.indexOf(folder) === 0 &&
      url.indexOf("..") < 0 &&
      FILE.test(url)
    );
  }

  function remembered() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE) || "null");
      if (saved && saved.key === key && Array.isArray(saved.urls)) {
        return saved.urls.filter(ours).slice(0, MAX_FILES);
      }
    } catch (err) {
      // No storage (private mode, cookies blocked) or a broken entry.
    }
    return [];
  }

  function preload(url) {
    var link = document.createElement("link");
    link.rel = "preload";
    link.href = url;
    if (/\.woff2/.test(url)) {
      link.as = "font";
      link.type = "font/woff2";
      link.crossOrigin = "anonymous";
    } else {
      link.as = "script";
    }
    link.className = "coachkit-preload";
    document.head.appendChild(link);
  }

  function remember() {
    var nav = window.performance.getEntriesByType("navigation")[0];
    var loaded = nav ? nav.domContentLoadedEventEnd : 0;
    var urls = remembered();
    window.performance.getEntriesByType("resource").forEach(function (entry) {
      if (entry.startTime > loaded && ours(entry.name) && urls.indexOf(entry.name) < 0) {
        urls.push(entry.name);
      }
    });
    try {
      window.localStorage.setItem(
        STORE,
        JSON.stringify({ key: key, urls: urls.slice(0, MAX_FILES) })
      );
    } catch (err) {
      // Storage full or blocked: the next page just loads as Voila does.
    }
  }

  function rememberWhenReady() {
    var started = Date.now();
    var timer = window.setInterval(function () {
      if (document.querySelector(".coachkit-ready")) {
        window.clearInterval(timer);
        window.setTimeout(remember, SETTLE_MS);
      } else if (Date.now() - started > GIVE_UP_MS) {
        window.clearInterval(timer);
      }
    }, 250);
  }

  remembered().forEach(preload);
  window.addEventListener("load", rememberWhenReady);
})();
