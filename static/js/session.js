// Warn before the idle timeout and offer to stay signed in (WCAG 2.2.1). Any page load restarts the clock on
// the server; this mirrors it in the page. When time is up, go to sign-in: nothing typed is lost (drafts).
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var idle = Number(box.dataset.idleSeconds) * 1000;
  var warnBefore = Math.min(Number(box.dataset.warningSeconds) * 1000, idle / 2);
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var warnTimer, endTimer, returnFocus = null;

  function schedule() {
    clearTimeout(warnTimer); clearTimeout(endTimer);
    warnTimer = setTimeout(show, idle - warnBefore);
    endTimer = setTimeout(function () { window.location.assign(box.dataset.timeoutUrl); }, idle);
  }
  function show() {
    returnFocus = document.activeElement;
    box.hidden = false;
    box.querySelector("button").focus();
  }
  function hide() {
    box.hidden = true;
    if (returnFocus && returnFocus.focus) { returnFocus.focus(); }
  }
  box.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(box.dataset.extendUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.content : "" }
    }).then(function (response) {
      if (response.ok) { hide(); schedule(); } else { window.location.assign(box.dataset.timeoutUrl); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !box.hidden) { box.querySelector("form").requestSubmit(); }
  });
  schedule();
})();
