// The tablet view's only script (no inline scripts: the Content-Security-Policy forbids them).
// 1. The print button. 2. When the kiosk stops answering, keep the last roll call on screen and say how old it is.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-print]") : null;
    if (el) { ev.preventDefault(); window.print(); }
  });

  // The age is counted on the tablet's own clock from when the list arrived, so a kiosk whose clock is off
  // (no server for days) cannot make the age wrong.
  var receivedAt = Date.now();

  function stale(on) {
    var box = document.getElementById("stale");
    var list = document.getElementById("rollcall-list");
    if (!box || !list) { return; }
    if (!on) { box.hidden = true; list.classList.remove("is-stale"); return; }
    var text = box.querySelector("[data-stale-text]");
    var lang = document.documentElement.lang === "en" ? "en" : "ja";
    var age = Math.max(0, Math.round((Date.now() - receivedAt) / 60000));
    text.textContent = text.getAttribute("data-" + lang)
      .replace("{time}", list.getAttribute("data-snapshot-hm")).replace("{age}", String(age));
    box.hidden = false;
    list.classList.add("is-stale");
  }

  document.addEventListener("htmx:sendError", function () { stale(true); });
  document.addEventListener("htmx:timeout", function () { stale(true); });
  document.addEventListener("htmx:responseError", function () { stale(true); });
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.target && ev.target.id === "rollcall-list") { receivedAt = Date.now(); stale(false); }
  });
  // Keep the age current while the kiosk stays away (htmx keeps polling and clears the banner when it answers).
  setInterval(function () {
    var box = document.getElementById("stale");
    if (box && !box.hidden) { stale(true); }
  }, 30000);
})();
