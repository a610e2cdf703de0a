// coachkit workbook pages: small helpers, the page-stopped notice and the view
// kept in the address. Nothing here talks to any host but the coachkit server.
(function () {
  "use strict";

  var NOTICE =
    "This page has stopped: it was left unused for a long time, or coachkit " +
    "was shut down. Reload the page to keep working. Everything you saved is kept.";
  var CHECK_EVERY_MS = 30000;

  function showStopped() {
    // coachkit-page.js may have said it already, with what was typed kept.
    if (
      document.getElementById("coachkit-stopped") ||
      document.getElementById("coachkit-lost")
    ) {
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

// coachkit workbook pages: keep the view in the page address.
//
// The kernel cannot run script in the page, so it writes the view's query string
// (coach, rep, tab, period) into a hidden widget: <span data-ck-address="...">
// inside an element of class "ck-address" (coachkit/apps/address.py). This script
// watches for it and copies it into the address bar with history.replaceState: no
// reload and no new history entry. Every other word of the address (a workshop
// seat's "seat") is kept as it is. A reload then opens the same view, and the
// address can be shared as a link; the "Copy link to this view" button copies it.
(function () {
  "use strict";

  var KEYS = ["coach", "rep", "tab", "period"];
  var last = null;

  function apply() {
    var holder = document.querySelector(".ck-address [data-ck-address]");
    if (!holder || !window.history || !window.history.replaceState) {
      return;
    }
    var wanted = holder.getAttribute("data-ck-address") || "";
    if (wanted === last) {
      return;
    }
    last = wanted;
    var params = new URLSearchParams(window.location.search);
    KEYS.forEach(function (key) {
      params.delete(key);
    });
    new URLSearchParams(wanted).forEach(function (value, key) {
      if (KEYS.indexOf(key) >= 0 && /^[0-9]{1,9}$/.test(value)) {
        params.set(key, value);
      }
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") +
      window.location.hash;
    if (url !== window.location.pathname + window.location.search +
        window.location.hash) {
      window.history.replaceState(window.history.state, "", url);
    }
  }

  // "Copy link to this view" (coachkit/apps/shell.py draws the button).
  function said(button, words) {
    var holder = button.parentNode;
    var done = holder && holder.querySelector(".ck-copy-done");
    if (done) {
      done.textContent = words;
    }
  }

  function copyOldWay(link) {
    var box = document.createElement("textarea");
    box.value = link;
    box.setAttribute("readonly", "");
    box.style.position = "fixed";
    box.style.opacity = "0";
    document.body.appendChild(box);
    box.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (err) {
      copied = false;
    }
    document.body.removeChild(box);
    return copied;
  }

  function copyLink(event) {
    var button = event.target.closest && event.target.closest(".ck-copy-link");
    if (!button) {
      return;
    }
    apply();
    var link = window.location.href;
    var done = function () {
      said(button, "Link copied. Paste it to share this view.");
    };
    var failed = function () {
      if (copyOldWay(link)) {
        done();
      } else {
        said(button, "Copy the page address from the address bar to share it.");
      }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(done, failed);
    } else {
      failed();
    }
  }

  // "Copy the link" beside a rep's own link (coachkit/apps/my_coaching/share.py):
  // the link's whole address, as the browser resolves it.
  function copyRepLink(event) {
    var button =
      event.target.closest && event.target.closest(".ck-copy-rep-link");
    if (!button) {
      return;
    }
    var box = button.closest(".ck-rep-link-box");
    var anchor = box && box.querySelector("a.ck-rep-link");
    if (!anchor) {
      return;
    }
    var link = anchor.href;
    var done = function () {
      said(button, "Link copied. Paste it in a message to the rep.");
    };
    var failed = function () {
      if (copyOldWay(link)) {
        done();
      } else {
        said(button, "Select the link above and copy it.");
      }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(done, failed);
    } else {
      failed();
    }
  }

  // A rep's link is drawn with the path only (the kernel does not know the
  // address people type); show it whole, as the rep will open it.
  function showRepLinks() {
    var links = document.querySelectorAll("a.ck-rep-link[data-ck-whole]");
    for (var i = 0; i < links.length; i++) {
      links[i].textContent = links[i].href;
      links[i].removeAttribute("data-ck-whole");
    }
  }

  // "Print or save as PDF": the browser's own print, with the page's print styles
  // (coachkit.css) leaving out every control.
  function printPage(event) {
    if (event.target.closest && event.target.closest(".ck-print")) {
      window.print();
    }
  }

  function start() {
    document.addEventListener("click", copyLink);
    document.addEventListener("click", copyRepLink);
    document.addEventListener("click", printPage);
    var pending = false;
    var observer = new MutationObserver(function () {
      if (pending) {
        return;
      }
      pending = true;
      window.setTimeout(function () {
        pending = false;
        apply();
        showRepLinks();
      }, 30);
    });
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-ck-address"],
    });
    apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// coachkit workbook pages: bring a new message into view.
//
// A form's messages are written next to the field they are about (ck-error with
// role="alert", ck-note with role="status"), but the field may be far down a long
// page, or the button that was pressed far from the field at fault. When messages
// appear after a click or a change (a button pressed, a choice made), this
// scrolls the error nearest that control into the middle of the window, unless it
// is already in view. When the control itself went away with the answer (a
// finished form makes way for its summary), the new message nearest where it was
// is brought into view, error or not. Notes while typing ("Draft saved") move
// nothing.
(function () {
  "use strict";

  var REPLY_MS = 15000; // how long after a click a message is its answer
  var lastUsed = null;
  var usedAt = 0;
  var usedY = 0; // where it was, from the top of the page
  var pending = null;

  function remember(event) {
    if (event.target && event.target.nodeType === 1) {
      lastUsed = event.target;
      usedAt = Date.now();
      usedY = centre(lastUsed) + window.scrollY;
    }
  }

  function inView(el) {
    var box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }

  function centre(el) {
    var box = el.getBoundingClientRect();
    return box.top + box.height / 2;
  }

  function messagesIn(node) {
    var found = [];
    if (node.nodeType !== 1) {
      node = node.parentElement;
    }
    if (!node) {
      return found;
    }
    var own = node.closest("[role=alert], [role=status]");
    if (own) {
      found.push(own);
    }
    node.querySelectorAll("[role=alert], [role=status]").forEach(function (el) {
      found.push(el);
    });
    return found;
  }

  function show(messages) {
    var shown = messages.filter(function (el) {
      return el.isConnected && el.textContent.trim() && el.getClientRects().length;
    });
    if (!shown.length) {
      return;
    }
    // The error nearest the control last used; any message if it went away.
    var gone = !lastUsed.isConnected || !lastUsed.getClientRects().length;
    var pool = shown.filter(function (el) {
      return gone || el.getAttribute("role") === "alert";
    });
    if (!pool.length) {
      return;
    }
    var near = gone ? usedY - window.scrollY : centre(lastUsed);
    pool.sort(function (a, b) {
      return Math.abs(centre(a) - near) - Math.abs(centre(b) - near);
    });
    var chosen = pool[0];
    if (!inView(chosen)) {
      chosen.scrollIntoView({ block: "center" });
    }
  }

  function watch() {
    var root = document.body;
    var seen = [];
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        seen = seen.concat(messagesIn(record.target));
        record.addedNodes.forEach(function (node) {
          seen = seen.concat(messagesIn(node));
        });
      });
      if (pending === null && seen.length) {
        // Wait for the widgets' other changes of the same reply to land.
        pending = window.setTimeout(function () {
          var batch = seen;
          seen = [];
          pending = null;
          if (lastUsed && Date.now() - usedAt < REPLY_MS) {
            show(batch);
          }
        }, 50);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true });
  }

  document.addEventListener("click", remember, true);
  document.addEventListener("change", remember, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();

// coachkit workbook pages: tables people can sort and filter (issue #25).
//
// coachkit/apps/shell.py's html_table writes <table class="ck-table ck-sortable">.
// Each such table that appears (the widgets replace their HTML at any time) gets:
// - its column headers as buttons: a click, Enter or Space sorts by that column,
//   again to reverse. Numbers sort as numbers ("1,234", "45%", "3 hours"), days
//   as days ("7 December 2026", "March 2026"), other words alphabetically; an
//   empty cell ("–") always comes last. The sorted header says so in aria-sort.
//   A table drawn again with the same columns keeps the order that was picked.
// - above a table longer than FILTER_FROM rows, a box labelled "Filter this
//   table" that hides the rows without every word typed in it.
// A table is done once (data-ck-sorting marks it), so watching again is harmless.
(function () {
  "use strict";

  var TABLES = "table.ck-sortable";
  var FILTER_FROM = 11; // rows
  var MISSING = /^[–—-]?$/;
  var MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
  ];
  var DAY = new RegExp(
    "^(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\\s+)?" +
      "(?:(\\d{1,2})\\s+)?(" + MONTHS.join("|") + ")\\s+(\\d{4})$"
  );
  var NUMBER = new RegExp(
    "^([+\\-\\u2212]?)((?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|\\.\\d+)" +
      "(\\s*%|\\s+[a-z][a-z ]*)?$"
  );
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var picked = {}; // columns' names -> {column, descending}: kept across redraws

  function cellText(row, column) {
    var cell = row.cells[column];
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function asDay(text) {
    var m = DAY.exec(text.toLowerCase());
    if (!m) {
      return null;
    }
    return Date.UTC(+m[3], MONTHS.indexOf(m[2]), m[1] ? +m[1] : 1);
  }

  // A number and its unit ("%", "hour"), or null.
  function asNumber(text) {
    var m = NUMBER.exec(text.toLowerCase());
    if (!m) {
      return null;
    }
    var value = parseFloat(m[2].replace(/,/g, ""));
    var unit = (m[3] || "").trim().replace(/s$/, "");
    return { value: m[1] && m[1] !== "+" ? -value : value, unit: unit };
  }

  // Each row's sort key for one column, and how to compare two keys.
  function keysOf(rows, column) {
    var texts = rows.map(function (row) {
      return cellText(row, column);
    });
    var filled = texts.filter(function (text) {
      return !MISSING.test(text);
    });
    var days = filled.map(asDay);
    if (filled.length && days.indexOf(null) < 0) {
      return { keys: texts.map(asDay), compare: byValue };
    }
    var numbers = filled.map(asNumber);
    var sameUnit = numbers.every(function (n) {
      return n !== null && n.unit === numbers[0].unit;
    });
    if (filled.length && sameUnit) {
      return {
        keys: texts.map(function (text) {
          var n = asNumber(text);
          return n === null ? null : n.value;
        }),
        compare: byValue,
      };
    }
    return {
      keys: texts.map(function (text) {
        return MISSING.test(text) ? null : text;
      }),
      compare: collator.compare,
    };
  }

  function byValue(a, b) {
    return a - b;
  }

  function headersOf(table) {
    var head = table.tHead;
    return head && head.rows.length === 1 ? Array.from(head.rows[0].cells) : [];
  }

  function nameOf(table) {
    return headersOf(table)
      .map(function (th) {
        return th.textContent.trim();
      })
      .join("\u0001");
  }

  function sortBy(table, column, descending) {
    var body = table.tBodies[0];
    var rows = Array.from(body.rows);
    var found = keysOf(rows, column);
    var order = rows.map(function (row, i) {
      return { row: row, key: found.keys[i], first: +row.dataset.ckOrder };
    });
    order.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        // An empty cell comes last either way.
        return a.key === b.key ? a.first - b.first : a.key === null ? 1 : -1;
      }
      var diff = found.compare(a.key, b.key);
      return (descending ? -diff : diff) || a.first - b.first;
    });
    order.forEach(function (item) {
      body.appendChild(item.row);
    });
    headersOf(table).forEach(function (th, i) {
      if (i === column) {
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
    picked[nameOf(table)] = { column: column, descending: descending };
  }

  function makeSortable(table) {
    var headers = headersOf(table);
    headers.forEach(function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ck-sort";
      while (th.firstChild) {
        button.appendChild(th.firstChild);
      }
      th.appendChild(button);
      th.setAttribute("scope", "col");
      button.addEventListener("click", function () {
        var again = th.getAttribute("aria-sort") === "ascending";
        sortBy(table, column, again);
      });
    });
    var before = picked[nameOf(table)];
    if (before && before.column < headers.length) {
      sortBy(table, before.column, before.descending);
    }
  }

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function addFilter(table) {
    var rows = Array.from(table.tBodies[0].rows);
    var holder = document.createElement("div");
    holder.className = "ck-table-filter";
    var label = document.createElement("label");
    var title = document.createElement("span");
    title.textContent = "Filter this table";
    var box = document.createElement("input");
    box.type = "search";
    box.autocomplete = "off";
    box.spellcheck = false;
    label.appendChild(title);
    label.appendChild(box);
    var count = document.createElement("span");
    count.className = "ck-table-count";
    count.setAttribute("aria-live", "polite");
    holder.appendChild(label);
    holder.appendChild(count);
    box.addEventListener("input", function () {
      var wanted = plain(box.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = plain(row.textContent);
        var match = wanted.every(function (word) {
          return text.indexOf(word) >= 0;
        });
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      if (!wanted.length) {
        count.textContent = "";
      } else if (!shown) {
        count.textContent = "No rows have these words.";
      } else {
        count.textContent = "Showing " + shown + " of " + rows.length + " rows.";
      }
    });
    // Above the box that scrolls the table sideways, if it has one of its own.
    var parent = table.parentElement;
    var place =
      parent && parent.children.length === 1 &&
      parent.matches(".ck-table-scroll, .ck-table-wrap")
        ? parent
        : table;
    place.parentNode.insertBefore(holder, place);
  }

  function prepare(table) {
    if (table.hasAttribute("data-ck-sorting")) {
      return;
    }
    table.setAttribute("data-ck-sorting", "");
    var body = table.tBodies[0];
    if (!body || table.tBodies.length !== 1 || !headersOf(table).length) {
      return;
    }
    if (body.querySelector("[rowspan], [colspan]")) {
      return;
    }
    Array.from(body.rows).forEach(function (row, i) {
      row.dataset.ckOrder = String(i);
    });
    makeSortable(table);
    if (body.rows.length >= FILTER_FROM) {
      addFilter(table);
    }
  }

  function prepareIn(node) {
    if (node.nodeType !== 1) {
      return;
    }
    if (node.matches(TABLES)) {
      prepare(node);
    }
    node.querySelectorAll(TABLES).forEach(prepare);
  }

  function start() {
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(prepareIn);
      });
    }).observe(document.body, { childList: true, subtree: true });
    prepareIn(document.body);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Workshop seats: the browser keeps the participant's seat in a cookie.
//
// A workshop page puts a hidden <span data-ck-seat="..." data-ck-browser="...">
// in an element of class "ck-seat-keep" (coachkit/apps/workshop_watch.py and
// workshop_claim.py): the kernel cannot set a cookie itself. This script copies
// the seat into the "coachkit_seat" cookie and the browser's own random mark into
// "coachkit_browser", both for the whole server (the path before "voila/"), so
// Home and every other link open the participant's own team, and typing the same
// name again on this browser gets the same seat back. data-ck-seat="-" forgets
// the seat (the trainer freed it). coachkit serve passes the Cookie header to the
// kernel only for a workshop (FrontDoor.seat_cookies).
(function () {
  "use strict";
  var MONTH = 30 * 24 * 3600;

  function sitePath() {
    var path = window.location.pathname;
    var at = path.indexOf("/voila/");
    return at >= 0 ? path.slice(0, at + 1) : "/";
  }

  function setCookie(name, value, seconds) {
    document.cookie =
      name + "=" + encodeURIComponent(value) + "; path=" + sitePath() +
      "; max-age=" + seconds + "; SameSite=Lax";
  }

  function hasCookie(name) {
    return new RegExp("(^|;\\s*)" + name + "=").test(document.cookie);
  }

  function keep() {
    var holders = document.querySelectorAll(".ck-seat-keep [data-ck-seat]");
    for (var i = 0; i < holders.length; i++) {
      var seat = holders[i].getAttribute("data-ck-seat") || "";
      var browser = holders[i].getAttribute("data-ck-browser") || "";
      if (browser && !hasCookie("coachkit_browser")) {
        setCookie("coachkit_browser", browser, 12 * MONTH);
      }
      if (seat === "-") {
        setCookie("coachkit_seat", "", 0);
      } else if (seat) {
        setCookie("coachkit_seat", seat, MONTH);
      }
    }
  }

  new MutationObserver(keep).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["data-ck-seat"],
  });
  keep();
})();
