// Character counters for textareas with data-max-length: an enhancement only; the server checks the limit
// and keeps the text either way. The wording comes translated from the page (data-*-template).
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-max-length]").forEach(function (field) {
    var counter = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!counter) { return; }
    var max = Number(field.dataset.maxLength);
    function update() {
      var left = max - Array.from(field.value).length;
      var template = left >= 0 ? counter.dataset.leftTemplate : counter.dataset.overTemplate;
      if (!template) { return; }
      counter.textContent = template.replace("%(num)s", String(Math.abs(left)));
      counter.classList.toggle("counter--over", left < 0);
    }
    field.addEventListener("input", update);
    update();
  });
})();
