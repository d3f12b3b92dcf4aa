// A small MCP client for Streamable HTTP (JSON-RPC POSTs answered as JSON or SSE): all the studio needs to talk MCP.

/** The server answered with an HTTP error (401 wrong token, 403 origin, 404 expired session…). */
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/** A JSON-RPC error (e.g. -32002 resource not found); `message` is the server's text. */
export class RpcError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
  }
}

const PROTOCOL_VERSION = '2025-06-18';

/** The JSON-RPC messages of an SSE body: each event's `data:` lines joined, comments and blanks skipped. */
export function parseSse(text) {
  const messages = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data !== '') messages.push(JSON.parse(data));
  }
  return messages;
}

export class McpClient {
  /** @param {string} endpoint the /mcp URL  @param {string} token the bearer token */
  constructor(endpoint, token) {
    this.endpoint = endpoint;
    this.token = token;
    this.sessionId = null;
    this.protocolVersion = null;
    this.nextId = 1;
    this.serverInfo = null;
  }

  /** initialize + notifications/initialized; throws HttpError 401 on a wrong token. */
  async connect() {
    this.sessionId = null;
    this.protocolVersion = null;
    const result = await this.post({
      jsonrpc: '2.0',
      id: this.nextId++,
      method: 'initialize',
      params: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'rag-studio', version: '1' },
      },
    });
    this.protocolVersion = result.protocolVersion;
    this.serverInfo = result.serverInfo;
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return result;
  }

  /** One request; an expired session (404) is replaced by a new one once. */
  async request(method, params) {
    const send = () => this.post({ jsonrpc: '2.0', id: this.nextId++, method, params });
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 404 || this.sessionId === null) throw error;
      await this.connect();
      return send();
    }
  }

  /** tools/call: resolves with the CallToolResult, isError results included (their text says why). */
  callTool(name, args) {
    return this.request('tools/call', { name, arguments: args });
  }

  async listTools() {
    return (await this.request('tools/list', {})).tools;
  }

  async listResources() {
    return (await this.request('resources/list', {})).resources;
  }

  /** Reads a JSON resource and parses it. */
  async readJson(uri) {
    const result = await this.request('resources/read', { uri });
    const first = result.contents[0];
    return JSON.parse(first.text);
  }

  /** Ends the session (best effort; also on page hide, where only a keepalive request still goes out). */
  close() {
    if (this.sessionId === null) return;
    const headers = { Authorization: `Bearer ${this.token}`, 'Mcp-Session-Id': this.sessionId };
    this.sessionId = null;
    fetch(this.endpoint, { method: 'DELETE', headers, keepalive: true }).catch(() => undefined);
  }

  async post(message) {
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${this.token}`,
    };
    if (this.sessionId !== null) headers['Mcp-Session-Id'] = this.sessionId;
    if (this.protocolVersion !== null) headers['Mcp-Protocol-Version'] = this.protocolVersion;
    const response = await fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify(message) });
    const session = response.headers.get('mcp-session-id');
    if (session !== null) this.sessionId = session;
    if (!response.ok) {
      const text = await response.text();
      let reason = text || response.statusText;
      try {
        reason = JSON.parse(text).error.message;
      } catch {
        // not JSON: keep the text
      }
      throw new HttpError(response.status, reason);
    }
    if (!('id' in message)) return undefined; // a notification: 202, no body
    const type = response.headers.get('content-type') ?? '';
    const replies = type.includes('text/event-stream')
      ? parseSse(await response.text())
      : [await response.json()];
    const reply = replies.find((m) => m.id === message.id && ('result' in m || 'error' in m));
    if (reply === undefined) throw new Error(`the server sent no answer to ${message.method}`);
    if (reply.error) throw new RpcError(reply.error.code, reply.error.message);
    return reply.result;
  }
}
