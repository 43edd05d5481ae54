/* Forms with a [data-once] button are sent once: a second click or Enter is ignored.
   The server refuses a repeated form as well; this only spares a useless request. */
(function () {
  "use strict";
  var forms = Array.prototype.filter.call(document.querySelectorAll("form"), function (form) {
    return form.querySelector("[data-once]");
  });
  function reset(form) {
    delete form.dataset.submitting;
    form.querySelectorAll("[data-once]").forEach(function (button) {
      button.classList.remove("disabled");
      button.removeAttribute("aria-disabled");
    });
  }
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting === "true") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "true";
      form.querySelectorAll("[data-once]").forEach(function (button) {
        button.classList.add("disabled");
        button.setAttribute("aria-disabled", "true");
      });
    });
  });
  // Back to a page from the browser's cache: the form may be sent again (the server decides).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      forms.forEach(reset);
    }
  });
})();
