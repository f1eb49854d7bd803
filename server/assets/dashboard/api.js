// The dashboard's one way to the server: the public GraphQL API on this origin, with the
// signed-in user's bearer token (queries and mutations over HTTP, subscriptions over
// graphql-transport-ws on /graphql/ws with the token in connection_init).

import { token, signOut } from './auth.js';

/** An answer's errors, in words, with their codes. */
export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.codes = errors.map((e) => e.extensions?.code ?? 'UNKNOWN');
  }
}

/** Runs one operation; resolves to `data`, rejects with an ApiError naming the problem. */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token()}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError([{ message: `the server cannot be reached (${error.message})` }]);
  }
  if (response.status === 401) {
    signOut('Your sign-in has expired or was revoked.');
    throw new ApiError([{ message: 'not signed in', extensions: { code: 'UNAUTHENTICATED' } }]);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError([{ message: `the server answered ${response.status} without JSON` }]);
  }
  if (body.errors?.length) {
    const error = new ApiError(body.errors);
    if (error.codes.includes('UNAUTHENTICATED')) signOut('Your sign-in has expired or was revoked.');
    throw error;
  }
  return body.data;
}

/** Subscribes over WebSocket; `onData` gets each `data`. Returns a function that stops it. */
export function subscribe(query, variables, onData, onError) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`;
  const socket = new WebSocket(url, 'graphql-transport-ws');
  socket.addEventListener('open', () => {
    socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token()}` } }));
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'connection_ack') {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
    } else if (message.type === 'next' && message.payload?.data) {
      onData(message.payload.data);
    } else if (message.type === 'next' || message.type === 'error') {
      onError?.(new ApiError(message.payload?.errors ?? message.payload ?? []));
    } else if (message.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong' }));
    }
  });
  socket.addEventListener('close', (event) => {
    if (event.code !== 1000) onError?.(new ApiError([{ message: `live updates stopped (${event.code} ${event.reason})` }]));
  });
  return () => socket.close(1000);
}
