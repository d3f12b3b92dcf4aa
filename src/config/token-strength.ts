// How strong an HTTP bearer token must be: checked for configured tokens (config) and stored ones (server).
/** Shortest token accepted on a loopback bind, and on any other bind. */
export const MIN_LOOPBACK_TOKEN_LENGTH = 16;
export const MIN_NETWORK_TOKEN_LENGTH = 32;
/** Fewest distinct characters a token must have: `aaaa…` or `abab…` is guessable at any length. */
const MIN_DISTINCT_CHARACTERS = 8;

/**
 * Why `token` is not acceptable, or undefined when it is: no spaces, at least 16 characters (32 when the
 * server listens beyond loopback), and not obviously low-entropy (few distinct characters, or one short
 * unit repeated).
 * @example tokenProblem('aaaaaaaaaaaaaaaa', false) // 'has only 1 distinct characters; …'
 */
export function tokenProblem(token: string, networkBind: boolean): string | undefined {
  if (/\s/.test(token)) return 'must not contain spaces';
  const min = networkBind ? MIN_NETWORK_TOKEN_LENGTH : MIN_LOOPBACK_TOKEN_LENGTH;
  if (token.length < min) {
    return `must be at least ${min} characters${networkBind ? ' when the host is not loopback' : ''}, got ${token.length}`;
  }
  const distinct = new Set(token).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) {
    return `has only ${distinct} distinct characters; use a random one, e.g. "$(openssl rand -hex 32)"`;
  }
  for (let unit = 1; unit <= token.length / 2; unit++) {
    if (token.length % unit === 0 && token.slice(0, unit).repeat(token.length / unit) === token) {
      return `repeats "${token.slice(0, unit)}"; use a random one, e.g. "$(openssl rand -hex 32)"`;
    }
  }
  return undefined;
}
