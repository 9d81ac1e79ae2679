/* global SwaggerUIBundle */
// A served file rather than an inline script, so that the page's Content-Security-Policy can say script-src 'self'.
SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  // Swagger UI's default sends the document to an outside validator for a badge; nothing leaves this origin.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
