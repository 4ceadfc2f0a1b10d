/**
 * The renderer's Content-Security-Policy, shared by Electron (header on every response) and served
 * mode. Scripts only from the app itself, never eval. Inline styles are allowed because ECharts writes
 * style attributes into its tooltips.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
