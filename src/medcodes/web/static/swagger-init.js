// Starts Swagger UI on /api/docs. A file of its own (not an inline script) so the
// Content-Security-Policy can forbid inline scripts on every page.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
