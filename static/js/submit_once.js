/* Forms with a [data-once] button are sent once: a second click or Enter is ignored. */
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-once]")) {
      return;
    }
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
})();
