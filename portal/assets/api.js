// api.js: calls to the tekstore API of the node that served the portal.
// Errors come back as ApiError with the spec's error code and a message in
// plain language.

/** ApiError is a failed call: HTTP status (0 = no answer), error code, message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

// Plain-language messages for errors whose server wording is technical.
const friendly = {
  unauthenticated: 'This access token was not accepted. Check that you pasted the whole token.',
  rate_limited: 'Too many requests in a short time. Please wait a moment and try again.',
  no_leader: 'The service is busy or restarting. Please try again in a few seconds.',
  unavailable: 'The service is busy or restarting. Please try again in a few seconds.',
  not_caught_up: 'The service is catching up. Please try again in a few seconds.',
  internal: 'Something went wrong on the server. Please try again; if it keeps happening, contact your administrator.',
};

// highestSeq is the newest log position this tab wrote. Reads ask the node
// to have applied it first (min_index), so a list always shows our own
// changes, even on a node that lags behind.
let highestSeq = 0;

function noteSeq(n) {
  const v = Number(n);
  if (Number.isSafeInteger(v) && v > highestSeq) {
    highestSeq = v;
  }
}

function withMinIndex(path) {
  if (highestSeq === 0) {
    return path;
  }
  return path + (path.includes('?') ? '&' : '?') + 'min_index=' + highestSeq;
}

async function errorFrom(resp) {
  let code = 'http_' + resp.status;
  let message = 'The server answered with an error (' + resp.status + ').';
  const type = resp.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) {
    try {
      const body = await resp.json();
      if (body && body.error) {
        code = body.error.code || code;
        message = body.error.message || message;
      }
    } catch (_) {
      // keep the generic message
    }
  }
  return new ApiError(resp.status, code, friendly[code] || message);
}

/**
 * call sends one request with the bearer token and returns the parsed JSON
 * answer, or a Blob when accept is given (for the PDF of cards).
 */
export async function call(token, method, path, { body, accept } = {}) {
  const headers = { Authorization: 'Bearer ' + token, Accept: accept || 'application/json' };
  const init = { method, headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const url = method === 'GET' ? withMinIndex(path) : path;
  let resp;
  try {
    resp = await fetch(url, init);
  } catch (_) {
    throw new ApiError(0, 'network', 'The server could not be reached. Check the network connection and try again.');
  }
  if (!resp.ok) {
    throw await errorFrom(resp);
  }
  if (method !== 'GET') {
    noteSeq(resp.headers.get('X-Tekstore-Index'));
  }
  if (accept) {
    return resp.blob();
  }
  const data = await resp.json();
  if (method !== 'GET' && data && data.seq !== undefined) {
    noteSeq(data.seq);
  }
  return data;
}

/** forget drops what this tab remembers about its writes (on sign-out). */
export function forget() {
  highestSeq = 0;
}
