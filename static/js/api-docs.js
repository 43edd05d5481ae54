// Starts Swagger UI (drf-spectacular-sidecar's copy) on the schema named by data-schema-url.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    domNode: node,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    supportedSubmitMethods: ["get", "head"],
    requestInterceptor: function (request) {
      var csrf = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (csrf) {
        request.headers["X-CSRFToken"] = decodeURIComponent(csrf[1]);
      }
      return request;
    },
  });
})();
