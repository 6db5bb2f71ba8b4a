// What never leaves for Rollbar, a third party: the values of credentials in
// the request an item reports (headers, query string, parsed body fields).
//
// Two layers, both on by default:
// - the names below, given to rollbar's own scrubbing (`scrubHeaders`,
//   `scrubFields`), which replaces the value of any key so named anywhere in
//   the item, and of any such query parameter in a URL;
// - `scrubCredentials`, rollbar's `transform` hook, a net under the lists for
//   the names nobody listed (`X-Acme-Session-Token`, `?client_secret=`): any
//   header, query or body field whose name looks like a credential.
// A value that is scrubbed shows in Rollbar as `********`, the key stays, so
// you still see that the request carried one.
//
// To keep something out of Rollbar that these miss, add its name to
// SCRUB_FIELDS (exact, case-insensitive) or to CREDENTIAL_NAME.

/** rollbar's own `********`. */
export const REDACTED = '********';

/**
 * Header names. `scrubHeaders` replaces rollbar's default list rather than
 * adding to it, so its defaults (the first line) are repeated here.
 */
export const SCRUB_HEADERS = [
  ...['authorization', 'www-authorization', 'http_authorization', 'omniauth.auth', 'cookie'],
  ...['oauth-access-token', 'x-access-token', 'x_csrf_token', 'http_x_csrf_token', 'x-csrf-token'],
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'x-session-token',
  'x-refresh-token',
  'x-id-token',
  'x-xsrf-token',
  'set-cookie',
  'x-amz-security-token',
  'x-amzn-oidc-accesstoken',
  'x-amzn-oidc-data',
  'x-goog-api-key',
  'x-functions-key',
  'ocp-apim-subscription-key',
  'x-rollbar-access-token',
];

/** Query and body field names, added to rollbar's own list (password, secret, token, access_token, api_key...). */
export const SCRUB_FIELDS = [
  'apikey',
  'api-key',
  'key',
  'auth',
  'client_secret',
  'clientSecret',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'session',
  'sessionid',
  'session_id',
  'jwt',
  'code',
  'sig',
  'signature',
  'credentials',
  'private_key',
  'privateKey',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];

/** A name that looks like it holds a credential. Errs on the side of scrubbing. */
export const CREDENTIAL_NAME =
  /auth|token|secret|passw|pwd|credential|signature|session|cookie|api[-_]?key|(?:^|[-_.])key$|^(?:sig|code|jwt)$/i;

type Fields = Record<string, unknown>;

/** Scrubs credential-looking keys in `value`, an object or array, and in those nested in it. */
function scrubFieldsIn(value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 20) return;
  const fields = value as Fields;
  for (const name of Object.keys(fields)) {
    if (!Array.isArray(value) && CREDENTIAL_NAME.test(name)) fields[name] = REDACTED;
    else scrubFieldsIn(fields[name], depth + 1);
  }
}

/** A body rollbar kept as text: JSON is scrubbed field by field, anything else as a query string. */
function scrubBodyText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object') {
      scrubFieldsIn(parsed);
      return JSON.stringify(parsed);
    }
  } catch {
    // Not JSON.
  }
  return scrubUrl(`?${body}`).slice(1);
}

/** `url` with the value of every credential-looking query parameter replaced. */
export function scrubUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=');
      if (eq < 0) return param;
      let name = param.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the name as written.
      }
      return CREDENTIAL_NAME.test(name) ? `${param.slice(0, eq)}=${REDACTED}` : param;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}

/**
 * rollbar's `transform`: scrubs the item's request data by CREDENTIAL_NAME.
 * Never throws (rollbar would drop the hook and send the item as it is):
 * when scrubbing fails, the request data is left out of the item instead.
 */
export function scrubCredentials(data: Fields): void {
  const request = data.request as Fields | undefined;
  if (request === null || typeof request !== 'object') return;
  try {
    scrubFieldsIn(request.headers);
    scrubFieldsIn(request.GET);
    // Parsed body fields sit under the method's name (POST, PUT...).
    for (const [key, value] of Object.entries(request)) {
      if (/^[A-Z]+$/.test(key)) scrubFieldsIn(value);
    }
    if (typeof request.url === 'string') request.url = scrubUrl(request.url);
    if (typeof request.body === 'string') request.body = scrubBodyText(request.body);
  } catch {
    delete data.request;
  }
}
