/* Organisation form: hide the КПП field for an individual entrepreneur (ИП).
   The form works without this script; the server checks the legal form either way.
   A hidden field is also disabled so that a stale value is not sent. */
(function () {
  "use strict";
  var kpp = document.querySelector("[data-legal-entity-only]");
  var radios = document.querySelectorAll("input[name='legal_form']");
  if (!kpp || !radios.length) {
    return;
  }
  var wrapper = document.getElementById("div_" + kpp.id) || kpp.parentElement;
  function update() {
    var chosen = document.querySelector("input[name='legal_form']:checked");
    var soleTrader = chosen && chosen.value === "sole_trader";
    wrapper.hidden = soleTrader;
    kpp.disabled = soleTrader;
  }
  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
