// Sign-in: a login link (`pnl login-link`, or the one `pnl demo` prints) carries a token in the
// URL fragment, which browsers never send to a server. It is moved to sessionStorage (gone when
// the tab closes) and the fragment is cleared from the address bar and history at once.

const KEY = 'pnl.dashboard.token';

/** Takes a `#token=…` fragment, if any, into session storage and clears it from the URL. */
export function adoptFragmentToken() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fresh = params.get('token');
  if (!fresh) return;
  sessionStorage.setItem(KEY, fresh);
  history.replaceState(null, '', `${location.pathname}#/overview`);
}

/** The signed-in token, or null. */
export function token() {
  return sessionStorage.getItem(KEY);
}

/** Forgets the token and shows the signed-out page with `reason`. */
export function signOut(reason) {
  sessionStorage.removeItem(KEY);
  history.replaceState(null, '', location.pathname);
  document.dispatchEvent(new CustomEvent('pnl:signed-out', { detail: reason ?? 'Signed out.' }));
}
