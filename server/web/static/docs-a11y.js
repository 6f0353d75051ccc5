// Swagger UI puts a deep link (<a href="#/tag/operation">) inside each operation's summary <button>: a control
// inside a control, which screen readers and axe-core (nested-interactive) refuse. The button itself opens the
// operation (by mouse and keyboard), so the inner link loses its href and becomes plain text.
(function () {
  function fix() {
    document.querySelectorAll(".opblock-summary-control a[href]").forEach(function (a) {
      a.removeAttribute("href");
    });
  }
  new MutationObserver(fix).observe(document.documentElement,
    { childList: true, subtree: true, attributes: true, attributeFilter: ["href"] });
  fix();
})();
