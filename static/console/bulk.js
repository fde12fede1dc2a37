// Executions list: tick rows, then Cancel/Delete selected opens the console's confirmation dialog
// naming the action and the count; only its confirm button submits #bulk-form. Rows are re-rendered by htmx, so listen on document.
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
    // The console's one confirmation (base.html, see confirm.js), filled with the count.
    var dialog = document.getElementById("confirm-dialog");
    dialog.querySelector("[data-confirm-text]").textContent =
      (n === 1 ? button.dataset.textOne : button.dataset.text).replace("{n}", n);
    dialog.querySelector("[data-confirm-ok]").textContent = button.dataset.confirm;
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "ok") { return; }
      var form = document.getElementById("bulk-form");
      form.elements.action.value = button.dataset.bulk;
      form.submit();
    };
    dialog.showModal();
  });
}());
