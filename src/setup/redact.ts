// No secret reaches the terminal or a CI log: not a token, not a secret key,
// not the user:password of an endpoint URL. URLs are shown through
// `shownUrl`, and every line `setup` prints also passes `Redactor.line`, so a
// secret echoed back by a service (Rollbar repeats a bad token) or carried in
// an error message is cut out as well.
import type { Env } from '../cli/io.js';

const MASK = '***';
/** `scheme://userinfo@`: the userinfo of any URL-looking text, even one that does not parse. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s@"'<>]*@/gi;

/** `raw` with the userinfo of every URL in it masked. */
export function redactUserinfo(raw: string): string {
  return raw.replace(USERINFO, `$1${MASK}@`);
}

/** A URL as it may be printed: userinfo masked, the rest as given. */
export function shownUrl(url: URL | string): string {
  return redactUserinfo(typeof url === 'string' ? url : url.href);
}

/** Variables whose values are secrets wherever they appear. */
const SECRET_VARIABLES = ['ROLLBAR_ACCESS_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
/** Variables holding URLs whose userinfo is a secret. */
const URL_VARIABLES = ['AWS_ENDPOINT_URL_XRAY', 'AWS_ENDPOINT_URL', 'ROLLBAR_ENDPOINT'];

// Shorter values would be cut out of ordinary words; URLs are masked by
// pattern whatever the length of their userinfo.
const MIN_SECRET_LENGTH = 6;

export class Redactor {
  private readonly secrets: string[];

  constructor(values: Iterable<string>) {
    this.secrets = [...new Set([...values].filter((v) => v.length >= MIN_SECRET_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** The secrets of `env`: the secret variables' values and the userinfo of the URL variables. */
  static fromEnv(env: Env): Redactor {
    const values: string[] = [];
    for (const name of SECRET_VARIABLES) {
      const v = env[name]?.trim();
      if (v) values.push(v);
    }
    for (const name of URL_VARIABLES) {
      const raw = env[name]?.trim();
      if (!raw) continue;
      const m = /^[a-z][a-z0-9+.-]*:\/\/([^\s@]*)@/i.exec(raw);
      if (!m) continue;
      for (const part of m[1]!.split(':')) {
        values.push(part);
        try {
          values.push(decodeURIComponent(part));
        } catch {
          // not percent-encoded: the raw part is enough
        }
      }
    }
    return new Redactor(values);
  }

  line(text: string): string {
    let out = redactUserinfo(text);
    for (const s of this.secrets) out = out.split(s).join(MASK);
    return out;
  }
}
