/* The template editor: CodeMirror over the plain <textarea>, which stays the form field.

   Without this script (or without CodeMirror) the textarea works as before: htmx posts it
   to the validate endpoint as you type and the form submits it. With it, CodeMirror shows
   line numbers and YAML/JSON colours, copies its text back into the textarea (CodeMirror's
   fromTextArea does so on submit; we also do on every change so htmx's validation runs),
   marks each problem of the server's report on its line (the report's <li data-line> items)
   and completes action names and property names from the catalog embedded in the page. */
(function () {
  "use strict";
  var area = document.getElementById("id_content");
  if (!area || !window.CodeMirror) return;
  var catalogNode = document.getElementById("action-catalog");
  var catalog = catalogNode ? JSON.parse(catalogNode.textContent) : [];
  var byName = {};
  catalog.forEach(function (a) { byName[a.name] = a; });

  function modeFor(text) { return /^\s*[{[]/.test(text) ? { name: "javascript", json: true } : "yaml"; }

  // The server's problems, read from the fragment htmx swapped in, as lint annotations.
  function annotations(text, options, cm) {
    var found = [];
    document.querySelectorAll("#problems [data-line]").forEach(function (item) {
      var line = Math.min(parseInt(item.getAttribute("data-line"), 10) - 1, cm.lineCount() - 1);
      var column = Math.max(parseInt(item.getAttribute("data-column") || "1", 10) - 1, 0);
      var message = item.querySelector(".problem-text");
      found.push({
        from: CodeMirror.Pos(line, column),
        to: CodeMirror.Pos(line, cm.getLine(line).length),
        message: (item.getAttribute("data-place") ? item.getAttribute("data-place") + ": " : "") +
          (message ? message.textContent : item.textContent),
        severity: "error"
      });
    });
    return found;
  }

  function indentOf(line) { return line.match(/^\s*-?\s*/)[0].length; }

  // The action named in the task around ``lineNo``: the nearest "Action:" at the task's indent.
  function actionOfTask(cm, lineNo, propertiesIndent) {
    for (var n = lineNo; n >= 0; n--) {
      var text = cm.getLine(n);
      var m = text.match(/^\s*-?\s*Action:\s*['"]?([\w:.-]+)/);
      if (m && indentOf(text) <= propertiesIndent) return m[1];
      if (/^\s*-\s/.test(text) && indentOf(text) <= propertiesIndent) break;
    }
    for (n = lineNo + 1; n < cm.lineCount(); n++) {
      text = cm.getLine(n);
      if (/^\s*-\s/.test(text) || (text.trim() && indentOf(text) < propertiesIndent)) break;
      m = text.match(/^\s*Action:\s*['"]?([\w:.-]+)/);
      if (m) return m[1];
    }
    return null;
  }

  // The "Properties:" key this line is directly under, or null.
  function propertiesAbove(cm, lineNo, indent) {
    for (var n = lineNo - 1; n >= 0; n--) {
      var text = cm.getLine(n);
      if (!text.trim()) continue;
      var own = text.match(/^\s*/)[0].length;
      if (own < indent) return /^\s*Properties:\s*$/.test(text) ? own : null;
    }
    return null;
  }

  function matching(words, prefix) {
    var low = prefix.toLowerCase();
    var starts = words.filter(function (w) { return w.text.toLowerCase().indexOf(low) === 0; });
    var inside = words.filter(function (w) { return w.text.toLowerCase().indexOf(low) > 0; });
    return starts.concat(inside);
  }

  function hint(cm) {
    var cur = cm.getCursor();
    var before = cm.getLine(cur.line).slice(0, cur.ch);
    var action = before.match(/(Action"?\s*:\s*["']?)([\w:.-]*)$/);
    if (action) {
      var words = catalog.map(function (a) { return { text: a.name, displayText: a.name + "  " + a.risk }; });
      return { list: matching(words, action[2]), from: CodeMirror.Pos(cur.line, cur.ch - action[2].length), to: cur };
    }
    var key = before.match(/^(\s*)([A-Za-z]*)$/);
    if (!key) return null;
    var under = propertiesAbove(cm, cur.line, key[1].length);
    if (under === null) return null;
    var spec = byName[actionOfTask(cm, cur.line, under)];
    if (!spec) return null;
    var props = Object.keys(spec.properties).map(function (name) {
      var p = spec.properties[name];
      var required = spec.required.indexOf(name) >= 0 ? " *" : "";
      return { text: name + ": ", displayText: name + required + "  (" + p.type + ")" };
    });
    return { list: matching(props, key[2]), from: CodeMirror.Pos(cur.line, key[1].length), to: cur };
  }

  var cm = CodeMirror.fromTextArea(area, {
    lineNumbers: true,
    mode: modeFor(area.value),
    tabSize: 2,
    indentUnit: 2,
    viewportMargin: Infinity,
    gutters: ["CodeMirror-lint-markers"],
    lint: { getAnnotations: annotations, lintOnChange: false },
    hintOptions: { hint: hint, completeSingle: false },
    extraKeys: {
      "Ctrl-Space": "autocomplete",
      Tab: function (ed) { ed.replaceSelection("  "); }
    }
  });
  cm.getWrapperElement().setAttribute("data-editor", "template");
  var label = document.querySelector('label[for="id_content"]');
  if (label) cm.getInputField().setAttribute("aria-label", label.textContent);

  var json = /^\s*[{[]/.test(area.value);
  cm.on("change", function () {
    cm.save();
    var nowJson = /^\s*[{[]/.test(cm.getValue());
    if (nowJson !== json) {  // switching modes re-highlights everything: only when the format changes
      json = nowJson;
      cm.setOption("mode", modeFor(cm.getValue()));
    }
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
  cm.on("inputRead", function (ed, change) {
    if (change.origin === "+input" && /[\w:]/.test(change.text.join(""))) ed.showHint();
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "problems") cm.performLint();
  });
  document.getElementById("problems").addEventListener("click", function (event) {
    var item = event.target.closest("[data-line]");
    if (!item) return;
    cm.setCursor(parseInt(item.getAttribute("data-line"), 10) - 1, parseInt(item.getAttribute("data-column") || "1", 10) - 1);
    cm.focus();
  });
  cm.performLint();
})();
