// Behaviour of the portal's pages, loaded by base.html. The Content-Security-Policy allows no
// inline script (ADR 0012): markup asks for behaviour with data- attributes instead.
(function () {
  "use strict";

  // Bootstrap's components, as Tabler's bundle exposes them.
  function bs() {
    return window.bootstrap || (window.tabler && window.tabler.bootstrap) || null;
  }

  // <select data-submit-on-change>: sends its form as soon as a value is chosen (the language switch).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-submit-on-change") && field.form) {
      field.form.submit();
    }
  });

  // <form data-confirm="Question?">: asks in the confirmation dialog before the form is sent
  // (the browser's own prompt where the dialog cannot open).
  var pending = null;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (!question || form.hasAttribute("data-confirmed")) {
      if (form.removeAttribute) form.removeAttribute("data-confirmed");
      return;
    }
    event.preventDefault();
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || !bs()) {
      if (window.confirm(question)) {
        form.setAttribute("data-confirmed", "");
        form.requestSubmit(event.submitter || undefined);
      }
      return;
    }
    pending = { form: form, submitter: event.submitter };
    dialog.querySelector("[data-confirm-question]").textContent = question;
    bs().Modal.getOrCreateInstance(dialog).show();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-confirm-accept]") || !pending) return;
    var dialog = document.getElementById("confirm-dialog");
    var target = pending;
    pending = null;
    bs().Modal.getOrCreateInstance(dialog).hide();
    target.form.setAttribute("data-confirmed", "");
    target.form.requestSubmit(target.submitter || undefined);
  });

  // Success and information toasts fade after a while; errors stay until closed.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toast[data-autohide]").forEach(function (toast) {
      window.setTimeout(function () {
        if (bs()) bs().Toast.getOrCreateInstance(toast).hide();
        else toast.classList.remove("show");
      }, 8000);
    });
  });

  // "/" puts the cursor in the page's search box, as in most web applications.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
    var box = Array.prototype.find.call(document.querySelectorAll("[data-search-box]"), function (field) {
      return field.offsetParent !== null; // the first one shown (the header's is hidden on a phone)
    });
    if (box) {
      event.preventDefault();
      box.focus();
    }
  });
})();
