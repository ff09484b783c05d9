// Starts Swagger UI on /api/v1/docs with the configuration the server put in #swagger-ui-config.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-ui-config").textContent);
  window.addEventListener("load", function () { window.ui = window.SwaggerUIBundle(config); });
})();
