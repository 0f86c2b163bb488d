// Character counters for textareas with data-max-length: an enhancement only; the server checks the limit
// and keeps the text either way. The wording comes translated from the page: one data-left-*/data-over-*
// attribute per plural category (templates/components/counter.html), chosen with Intl.PluralRules for the
// page's language, so "1 bogstav" and Arabic's six forms read right.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "da";
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  function category(n) {
    var found = rules ? rules.select(n) : (n === 1 ? "one" : "other");
    return found.charAt(0).toUpperCase() + found.slice(1);
  }
  document.querySelectorAll("textarea[data-max-length]").forEach(function (field) {
    var counter = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!counter) { return; }
    var max = Number(field.dataset.maxLength);
    function update() {
      var left = max - Array.from(field.value).length;
      var n = Math.abs(left);
      var kind = left >= 0 ? "left" : "over";
      var template = counter.dataset[kind + category(n)] || counter.dataset[kind + "Other"];
      if (!template) { return; }
      counter.textContent = template.replace("%(num)s", String(n));
      counter.classList.toggle("counter--over", left < 0);
    }
    field.addEventListener("input", update);
    update();
  });
})();
