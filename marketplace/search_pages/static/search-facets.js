/* Fold the search facets behind their 筛选 button on phone widths. Loaded right after the facets (not deferred) so
   that they fold before the results are laid out: no jump. Without scripts the facets simply stay open. */
(function () {
  "use strict";
  var panel = document.querySelector(".facets-panel");
  if (!panel || !window.matchMedia) { return; }
  var phone = window.matchMedia("(max-width: 760px)");
  function fit() { panel.open = !phone.matches; }
  fit();
  if (phone.addEventListener) { phone.addEventListener("change", fit); }
}());
