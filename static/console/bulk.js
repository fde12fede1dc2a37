// Executions list: tick rows, then Cancel/Delete selected opens #confirm-bulk naming the action
// and the count; only "confirm" submits #bulk-form. Rows are re-rendered by htmx, so listen on document.
(function () {
  "use strict";
  function ticked() { return document.querySelectorAll('#execution-results input[name="ids"]:checked'); }
  function showCount() {
    var label = document.getElementById("bulk-count");
    if (!label) { return; }
    var n = ticked().length;
    label.textContent = n ? label.dataset.some.replace("{n}", n) : label.dataset.none;
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "bulk-all") {
      document.querySelectorAll('#execution-results input[name="ids"]').forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    showCount();
  });
  document.addEventListener("htmx:afterSwap", showCount);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bulk]");
    if (!button) { return; }
    var n = ticked().length;
    if (!n) { showCount(); document.getElementById("bulk-count").classList.add("field-error"); return; }
    var dialog = document.getElementById("confirm-bulk");
    document.getElementById("confirm-bulk-title").textContent = button.dataset.title;
    document.getElementById("confirm-bulk-text").textContent = (n === 1 ? button.dataset.textOne : button.dataset.text).replace("{n}", n);
    document.getElementById("confirm-bulk-ok").textContent = button.dataset.confirm;
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "confirm") { return; }
      var form = document.getElementById("bulk-form");
      form.elements.action.value = button.dataset.bulk;
      form.submit();
    };
    dialog.showModal();
  });
}());
