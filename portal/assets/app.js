// app.js: the portal's entry point: sign in with a token, find out whether
// it is the admin token or a care provider's, and open the matching view.

import { AdminView } from './admin.js';
import { call, forget } from './api.js';
import { ProviderView } from './provider.js';
import { clearToken, loadToken, saveToken } from './session.js';
import { busy, byId, hush, say } from './ui.js';

let token = '';
let view = null;

// ctx is what the views know of the session.
const ctx = {
  token: () => token,
  // fail reports a failed call; an unknown token signs the user out.
  fail(err) {
    if (err.status === 401) {
      signOut('You were signed out: ' + err.message);
      return;
    }
    say(err.message, 'error');
  },
};

const views = { admin: new AdminView(ctx), provider: new ProviderView(ctx) };

// detectRole tries an admin-only list first, then the provider's own list.
async function detectRole(t) {
  try {
    await call(t, 'GET', '/v1/providers');
    return 'admin';
  } catch (err) {
    if (err.status !== 403) {
      throw err;
    }
  }
  await call(t, 'GET', '/v1/submissions');
  return 'provider';
}

function showSignIn(error) {
  byId('signin').hidden = false;
  const box = byId('signin-error');
  box.textContent = error || '';
  box.hidden = !error;
  byId('signin-token').focus();
}

async function signIn(t) {
  let role;
  try {
    role = await detectRole(t);
  } catch (err) {
    clearToken();
    showSignIn(err.message);
    return;
  }
  token = t;
  saveToken(t);
  byId('signin-token').value = '';
  byId('signin-error').hidden = true;
  byId('signin').hidden = true;
  const who = byId('who');
  who.textContent = role === 'admin' ? 'Signed in as administrator' : 'Signed in as care provider';
  who.hidden = false;
  byId('signout').hidden = false;
  document.body.dataset.role = role;
  view = views[role];
  hush();
  await view.show();
  byId('main').focus();
}

function signOut(message) {
  token = '';
  clearToken();
  forget();
  if (view) {
    view.hide();
    view = null;
  }
  delete document.body.dataset.role;
  byId('who').hidden = true;
  byId('signout').hidden = true;
  say(message || 'You are signed out.');
  showSignIn('');
}

byId('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = byId('signin-token').value.trim();
  if (!t) {
    showSignIn('Paste your access token first.');
    return;
  }
  busy(byId('signin-button'), () => signIn(t));
});

byId('signout').addEventListener('click', () => signOut());

const remembered = loadToken();
if (remembered) {
  signIn(remembered);
} else {
  showSignIn('');
}
