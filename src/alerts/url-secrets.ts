/** Shorter fragments are too common in ordinary text to mask without mangling it. */
const MIN_SECRET_CHARS = 8;

/**
 * The parts of a webhook URL that may be a credential: the whole URL, its path with query (Slack
 * and Discord put the token in the path), its query alone and any user:password.
 */
export function urlSecrets(url: URL): string[] {
  const candidates = [url.href, `${url.pathname}${url.search}`, url.search.slice(1), url.username, url.password];
  if (url.pathname !== '/') candidates.push(url.pathname);
  return candidates.filter((s) => s.length >= MIN_SECRET_CHARS);
}
