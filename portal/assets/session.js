// session.js: the signed-in token, kept in this tab's sessionStorage only
// (never in a URL, a cookie or storage that outlives the tab), so it is
// gone when the tab closes.

const key = 'tekstore.portal.token';

/** loadToken returns the tab's token, or '' when signed out. */
export function loadToken() {
  try {
    return sessionStorage.getItem(key) || '';
  } catch (_) {
    return '';
  }
}

/** saveToken keeps the token for this tab. */
export function saveToken(token) {
  try {
    sessionStorage.setItem(key, token);
  } catch (_) {
    // Storage disabled: the token then lives only in memory until reload.
  }
}

/** clearToken forgets the token. */
export function clearToken() {
  try {
    sessionStorage.removeItem(key);
  } catch (_) {
    // nothing stored
  }
}
