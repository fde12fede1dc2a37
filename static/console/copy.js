/* Copy buttons: <button data-copy="ID"> copies the text of element ID to the clipboard.
   Plain script, no build step; delegated, so it survives htmx swaps. */
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  var text = source.textContent;
  var done = function () { button.setAttribute("data-copied", "true"); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
    return;
  }
  var area = document.createElement("textarea"); // plain-HTTP fallback
  area.value = text;
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
  done();
});
