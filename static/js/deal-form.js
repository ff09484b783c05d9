// The contract form: the 中介方 (intermediary) block shows for 技术中介 contracts, or when it already has a name.
(function () {
  "use strict";
  var kind = document.getElementById("f-kind"), box = document.getElementById("party-intermediary");
  if (!kind || !box) { return; }
  function sync() {
    var filled = box.querySelector("input[name='intermediary-name']").value;
    box.hidden = kind.value !== "service.intermediary" && !filled;
  }
  kind.addEventListener("change", sync);
  sync();
})();
