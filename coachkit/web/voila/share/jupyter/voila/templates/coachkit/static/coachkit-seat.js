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
