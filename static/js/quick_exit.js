// "Leave this page quickly": hide the page at once, then swap it for a neutral site *in place* in the history,
// so Back from there does not come back to this page. Without JavaScript the button is a plain link to the
// same site (the page then stays in the history). Earlier pages of the portal stay in the history either way,
// and the session is not ended: docs/accessibility.md says why and what protects better (private browsing).
// No keyboard shortcut on purpose: an accidental one would throw away text a person is typing.
(function () {
  "use strict";
  function leave(url) {
    document.body.hidden = true;
    document.title = "";
    try {
      // The current entry first: should the navigation below be stopped, it no longer names this page.
      window.history.replaceState(null, "", "/");
    } catch (error) {
      // Some browsers refuse in some frames; replace() below still does the main job.
    }
    window.location.replace(url);
  }
  document.querySelectorAll("a[data-quick-exit]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      // Every click leaves here, in this tab: Ctrl/Cmd+click must not open a new tab and keep this one.
      event.preventDefault();
      leave(link.href);
    });
  });
})();
