/* Organisation form: hide the КПП field for an individual entrepreneur (ИП), and preselect the
   individual-entrepreneur kind for an ИП until the user picks a kind.
   The form works without this script; the server checks the legal form and, when the kind is
   left empty, chooses it by the legal form too. A hidden field is also disabled so that a stale
   value is not sent. */
(function () {
  "use strict";
  var kpp = document.querySelector("[data-legal-entity-only]");
  var radios = document.querySelectorAll("input[name='legal_form']");
  if (!kpp || !radios.length) {
    return;
  }
  var wrapper = document.getElementById("div_" + kpp.id) || kpp.parentElement;
  var kind = document.querySelector("select[name='kind']");
  var kindChosen = Boolean(kind && kind.value);
  function update() {
    var chosen = document.querySelector("input[name='legal_form']:checked");
    var soleTrader = chosen && chosen.value === "sole_trader";
    wrapper.hidden = soleTrader;
    kpp.disabled = soleTrader;
    if (kind && !kindChosen) {
      kind.value = soleTrader ? "sole_trader" : "";
    }
  }
  if (kind) {
    kind.addEventListener("change", function () {
      kindChosen = Boolean(kind.value);
    });
  }
  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
