/**
 * Keeps secrets out of what Marquee prints: error messages name a variable and may quote what it
 * was given, but never the value of a secret, nor the password inside a connection URL.
 */

/** Variables whose value is a secret: never quoted, whatever went wrong with it. */
const secretName = /(SECRET|PASSWORD|TOKEN|PRIVATE_KEY)$/;

/** True when `variable`'s value must never be printed (JWT_SECRET, NOISE_SECRET, *_PASSWORD, …). */
export function isSecretVariable(variable: string): boolean {
  return secretName.test(variable);
}

// `scheme://user:password@`: everything between the first `:` after the user and the last `@` before
// the host, so a password holding `@` or `/` (unencoded, as users type them) is masked whole.
const urlPassword = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s]*@/gi;

// A password in the query string (`?password=…`, `&sslpassword=…`), which pg and ioredis also read.
const queryPassword = /([?&][a-z_]*(?:password|pass|pwd|secret|token)=)[^&#\s"]*/gi;

/**
 * `text` with the password of every URL in it replaced by `***` (`postgres://postgres:***@host/db`),
 * in the user-info part and in the query string.
 */
export function redactUrls(text: string): string {
  return text.replace(urlPassword, '$1***@').replace(queryPassword, '$1***');
}

/** How an error message may quote `variable`'s value: a secret's is withheld, a URL's password masked. */
export function quoteValue(variable: string, value: string | undefined): string {
  if (value === undefined) return 'unset';
  if (isSecretVariable(variable)) return `${value.length} characters, value hidden`;
  let shown = redactUrls(value);
  // A URL typed without its scheme (`:pw@host:6379`) still has its credentials before the last `@`.
  if (/_URL$|_ENDPOINT$/.test(variable) && !shown.includes('://')) shown = shown.replace(/^.*@/, '***@');
  return `got ${JSON.stringify(shown)}`;
}
