// One confirmation for every destructive action. A submit button with data-confirm="…"
// (a server-rendered sentence naming what will happen to how many resources) opens the
// page's <dialog id="confirm-dialog"> instead of submitting; only its confirm button posts
// the form. The form's data are taken when the dialog opens, so a live region that
// refreshes underneath (htmx polling) cannot lose the request.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const sentence = button && button.dataset.confirm;
  const dialog = document.getElementById("confirm-dialog");
  if (!sentence || !dialog) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  const form = event.target;
  const data = new FormData(form, button);
  dialog.querySelector("[data-confirm-text]").textContent = sentence;
  dialog.querySelector("[data-confirm-ok]").textContent = button.dataset.confirmOk || button.textContent.trim();
  dialog.returnValue = "";
  dialog.onclose = () => {
    if (dialog.returnValue !== "ok") return;
    const post = document.createElement("form");
    post.method = "post";
    // getAttribute: a field named "action" shadows form.action
    post.action = form.getAttribute("action") || window.location.href;
    post.hidden = true;
    for (const [name, value] of data.entries()) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.append(input);
    }
    document.body.append(post);
    post.submit();
  };
  dialog.showModal();
}, true);
