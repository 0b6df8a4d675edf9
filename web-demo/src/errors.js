// Turns the facade's typed errors (an `Error` with a stable `code`, plus the IMAP response code
// or the bridge's close code when there is one) into messages a user can act on, and shows
// them in the banner. Nothing here inspects message text: only codes.

const banner = document.getElementById('error');
const titleEl = document.getElementById('error-title');
const detailEl = document.getElementById('error-detail');
const retry = document.getElementById('error-retry');
document.getElementById('error-close').addEventListener('click', hideError);

/** Bridge close codes (see bridge/README.md) and what they mean for the user. */
const BRIDGE_CLOSE = {
  4000: ['Server not allowed', 'The bridge refused this server: it is not in its list of allowed targets.'],
  4001: ['Bad request', 'The bridge did not understand which server to connect to.'],
  4003: ['Server unreachable', 'The bridge could not reach the IMAP server (DNS or TCP connect failed).'],
  4004: ['TLS failed', 'The IMAP server\'s certificate or TLS handshake was refused by the bridge.'],
  4005: ['Connection lost', 'The IMAP server closed the connection.'],
  4006: ['Too many connections', 'The bridge refused the connection: a limit was reached.'],
  4007: ['Ticket refused', 'The bridge ticket is missing, expired or for another server.'],
  4009: ['Connection timed out', 'The bridge closed the connection after a period of inactivity.'],
};

/** Facade error codes that mean the connection itself is gone. */
const CONNECTION_CODES = new Set(['CLOSED', 'IO', 'BYE', 'BRIDGE', 'TLS']);

/**
 * A user-facing description of `error`: `{ kind, title, detail }`, where `kind` is one of
 * `auth`, `refused`, `lost`, `timeout`, `input`, `server`, `other`.
 */
export function describe(error) {
  const code = String(error?.code ?? '');
  const responseCode = String(error?.responseCode ?? '');
  const closeCode = Number(error?.bridgeCloseCode ?? 0);
  const text = error?.serverText || error?.message || String(error);
  if (code === 'NO' && (responseCode === 'AUTHENTICATIONFAILED' || responseCode === 'AUTHORIZATIONFAILED')) {
    return { kind: 'auth', title: 'Wrong user name or password', detail: 'The server refused the login. Check both and try again.' };
  }
  if (code === 'BRIDGE' && BRIDGE_CLOSE[closeCode]) {
    const [title, detail] = BRIDGE_CLOSE[closeCode];
    return { kind: closeCode === 4005 || closeCode === 4009 ? 'lost' : 'refused', title, detail };
  }
  if (code === 'TIMEOUT') {
    return { kind: 'timeout', title: 'No answer in time', detail: 'The server or the bridge did not answer in time.' };
  }
  if (code === 'INVALID_INPUT') {
    return { kind: 'input', title: 'Invalid input', detail: text };
  }
  if (code === 'UNSUPPORTED') {
    return { kind: 'server', title: 'Not supported by this server', detail: text };
  }
  if (code === 'NO' || code === 'BAD') {
    return { kind: 'server', title: 'The server refused', detail: text };
  }
  if (CONNECTION_CODES.has(code)) {
    return { kind: 'lost', title: 'Connection lost', detail: `The connection to the server was closed (${text}).` };
  }
  return { kind: 'other', title: 'Something went wrong', detail: text };
}

/**
 * Describes a failure to connect: before the session exists, a closed or refused WebSocket
 * means the bridge could not be reached or refused this page, not a lost connection.
 */
export function describeConnect(error) {
  const d = describe(error);
  if (d.kind === 'lost' && error?.code !== 'BRIDGE') {
    return {
      kind: 'refused',
      title: 'Could not reach the bridge',
      detail: 'Check the bridge URL; the bridge may be down or may not allow this page\'s origin.',
    };
  }
  return d;
}

/**
 * Shows `error` in the banner; a lost connection offers `onRetry`. Returns the description.
 */
export function showError(error, onRetry, describer = describe) {
  const d = describer(error);
  console.warn('daaki-imap demo:', d.title, error);
  banner.dataset.kind = d.kind;
  titleEl.textContent = d.title;
  detailEl.textContent = d.detail;
  retry.hidden = !(onRetry && (d.kind === 'lost' || d.kind === 'timeout'));
  retry.onclick = onRetry ? () => { hideError(); onRetry(); } : null;
  banner.hidden = false;
  return d;
}

export function hideError() {
  banner.hidden = true;
}
