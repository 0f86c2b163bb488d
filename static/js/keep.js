// Nothing typed is lost mid-step: for a form with data-autosave, what is typed goes to the server draft a
// moment after the person stops typing, and once more when the page is hidden (a call, a locked screen,
// another app). It posts the form itself, with its CSRF token, and go=keep; the server saves and answers 204.
// Without JavaScript the form's "Save and come back later" button does the same (go=later).
(function () {
  "use strict";
  var DELAY = 1200;
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var url = form.action || window.location.href;
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var submitting = false;
    function fields() { return new URLSearchParams(new FormData(form)).toString(); }
    var saved = fields();
    function body() { var data = new FormData(form); data.set("go", "keep"); return data; }
    function save() {
      timer = null;
      var now = fields();
      if (now === saved || submitting) { return; }
      fetch(url, { method: "POST", body: body(), credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          if (response.status !== 204) { return; }
          saved = now;
          if (status && !status.textContent) { status.textContent = status.dataset.savedText; }
        })
        .catch(function () { /* offline: the next change or the page being hidden tries again */ });
    }
    form.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY);
    });
    form.addEventListener("submit", function () {
      submitting = true;
      if (timer) { clearTimeout(timer); }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "hidden" || submitting || fields() === saved) { return; }
      if (navigator.sendBeacon && navigator.sendBeacon(url, body())) { saved = fields(); }
    });
  });
})();
