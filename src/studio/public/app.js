// RAG Studio's shell: the token (URL fragment or prompt → sessionStorage), the MCP session, navigation, dialogs.
import { HttpError, McpClient } from './mcp-client.js';
import { h, resultText } from './dom.js';
import { renderKnowledgeBases } from './views/knowledge-bases.js';
import { renderSearch } from './views/search.js';
import { renderGenerations } from './views/generations.js';
import { renderDocuments } from './views/documents.js';
import { renderJobs } from './views/jobs.js';
import { renderStatus } from './views/status.js';

const TOKEN_KEY = 'rag-studio-token';
const WRITE_TOOLS = ['create_generation', 'promote_generation', 'run_gc'];

const VIEWS = [
  ['kbs', 'Knowledge bases', renderKnowledgeBases],
  ['search', 'Search', renderSearch],
  ['generations', 'Generations', renderGenerations],
  ['documents', 'Documents', renderDocuments],
  ['jobs', 'Jobs', renderJobs],
  ['status', 'Status', renderStatus],
];

const $ = (id) => document.getElementById(id);

/** What every view gets: the client, what this server allows, and ways to move and to ask. */
const studio = {
  client: null,
  tools: new Set(),
  /** Each tool's input JSON Schema, so new search options show up without a studio change. */
  toolSchemas: new Map(),
  /** False on a read-only server: no mutating control is drawn (and the server has no such tools anyway). */
  canWrite: false,
  kb: null,
  show,
  confirm: confirmDialog,
  notify,
  resultText,
  stop: null,
};

/** The token from `#token=…` (then removed from the address bar and history) or from this tab's storage. */
function takeToken() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function showLogin(message) {
  $('nav').hidden = true;
  $('view').replaceChildren();
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
  $('token').focus();
}

async function connect(token) {
  const client = new McpClient(new URL('../mcp', location.href).href, token);
  try {
    const init = await client.connect();
    const tools = await client.listTools();
    studio.client = client;
    studio.tools = new Set(tools.map((t) => t.name));
    studio.toolSchemas = new Map(tools.map((t) => [t.name, t.inputSchema]));
    studio.canWrite = WRITE_TOOLS.every((name) => studio.tools.has(name));
    $('server-info').textContent =
      `${init.serverInfo.name} ${init.serverInfo.version}${studio.canWrite ? '' : ' · read-only'}`;
    $('login').hidden = true;
    buildNav();
    show('kbs');
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (error instanceof HttpError && error.status === 401) {
      showLogin(
        `Wrong token: the server refused it (401). Paste the token the server printed at start. (${error.message})`,
      );
    } else if (error instanceof HttpError) {
      showLogin(`The server refused the connection (${error.status}): ${error.message}`);
    } else {
      showLogin(`Cannot reach the server: ${error.message}`);
    }
  }
}

function buildNav() {
  const nav = $('nav');
  nav.replaceChildren(
    ...VIEWS.map(([id, label]) =>
      h('button', { type: 'button', 'data-view': id, onclick: () => show(id) }, label),
    ),
  );
  nav.hidden = false;
}

/** Switches to a view (optionally for one KB); the previous view's timers stop. */
async function show(id, kb) {
  if (kb !== undefined) studio.kb = kb;
  studio.stop?.();
  studio.stop = null;
  for (const button of $('nav').querySelectorAll('button')) {
    if (button.dataset.view === id) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  const [, label, render] = VIEWS.find(([v]) => v === id);
  const view = $('view');
  view.replaceChildren(h('h2', { tabindex: -1 }, label), h('p', { class: 'muted' }, 'Loading…'));
  view.dataset.view = id;
  try {
    const content = await render(studio);
    if (view.dataset.view === id) view.replaceChildren(h('h2', { tabindex: -1 }, label), content);
  } catch (error) {
    if (error instanceof HttpError && error.status === 401)
      return showLogin('The token is no longer accepted; enter it again.');
    view.replaceChildren(h('h2', {}, label), h('p', { class: 'error', role: 'alert' }, error.message));
  }
}

/** Asks before a mutating action; resolves true on the confirm button. */
function confirmDialog(title, body, okLabel) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-body').replaceChildren(...(Array.isArray(body) ? body : [body]));
  $('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

function notify(message, isError = false) {
  const notice = $('notice');
  notice.textContent = message;
  notice.classList.toggle('error', isError);
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (token === '') return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  void connect(token);
});
addEventListener('pagehide', () => studio.client?.close());
// An action that failed outside a view's own handling (a dropped connection, a token revoked meanwhile)
// is shown to the user rather than left in the console.
addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  const error = event.reason;
  if (error instanceof HttpError && error.status === 401)
    showLogin('The token is no longer accepted; enter it again.');
  else notify(`Failed: ${error?.message ?? String(error)}`, true);
});

const token = takeToken();
if (token) void connect(token);
else showLogin();
