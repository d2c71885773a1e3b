// The API documentation page: Swagger UI over our own OpenAPI document, nothing remote
// (validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io).
(function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-url"), dom_id: "#swagger-ui", validatorUrl: null,
    deepLinking: true,
    requestInterceptor: function (req) {
      var token = document.querySelector('meta[name="csrf-token"]');
      if (token) { req.headers["X-CSRFToken"] = token.getAttribute("content"); }
      return req;
    }
  });
})();
