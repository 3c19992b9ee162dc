// Behaviour of the portal's pages, loaded by base.html. The Content-Security-Policy allows no
// inline script (ADR 0012): markup asks for behaviour with data- attributes instead.
(function () {
  "use strict";

  // <select data-submit-on-change>: sends its form as soon as a value is chosen (the language switch).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-submit-on-change") && field.form) {
      field.form.submit();
    }
  });

  // <form data-confirm="Question?">: asks before the form is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
