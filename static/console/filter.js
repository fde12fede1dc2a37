/* Filter a list as you type: <input data-filter="ID"> hides the [data-text] rows of
   element ID that do not contain the typed text. Checked boxes stay checked (and sent)
   while hidden. Plain script, no build step; delegated, so it survives htmx swaps. */
document.addEventListener("input", function (event) {
  var box = event.target.closest ? event.target.closest("[data-filter]") : null;
  if (!box) return;
  var list = document.getElementById(box.getAttribute("data-filter"));
  if (!list) return;
  var needle = box.value.trim().toLowerCase();
  list.querySelectorAll("[data-text]").forEach(function (row) {
    row.hidden = needle !== "" && row.getAttribute("data-text").indexOf(needle) === -1;
  });
});
