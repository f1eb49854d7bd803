// pnl GraphiQL: queries and mutations over HTTP POST /graphql, subscriptions over /graphql/ws
// (graphql-transport-ws), both on this page's origin, with one bearer token pasted once.
//
// The token: the user pastes it into the Headers editor as {"Authorization": "Bearer …"}.
// GraphiQL passes the editor's parsed headers to the fetcher as `opts.headers`; the fetcher
// remembers a real token in localStorage and puts it back wherever the header still holds the
// placeholder (new tabs start from it). Without an Authorization header nothing is sent, so
// anonymous access can still be tried. Browsers cannot set headers on a WebSocket, so for
// subscriptions the token goes into the connection_init payload instead, which the server reads.
(function () {
  'use strict';

  var TOKEN_KEY = 'pnl.graphiql.token';
  var PLACEHOLDER = '<paste your token>';
  var httpUrl = new URL('/graphql', location.href).href;
  // http: → ws:, https: → wss:.
  var wsUrl = new URL('/graphql/ws', location.href).href.replace(/^http/, 'ws');

  function rememberedToken() {
    try {
      return localStorage.getItem(TOKEN_KEY) || '';
    } catch (_) {
      return '';
    }
  }

  function remember(token) {
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch (_) {
      // Storage disabled: the token then lives only in the editor.
    }
  }

  // The token in an Authorization value ("Bearer x" or a bare "x"); '' for an empty value or one
  // still holding the placeholder.
  function bearer(value) {
    var token = String(value == null ? '' : value)
      .replace(/^\s*bearer\b\s*/i, '')
      .trim();
    return token.indexOf('<') === -1 ? token : '';
  }

  // The headers to send and the token among them, from the editor's parsed headers.
  function resolve(editorHeaders) {
    var headers = {};
    var hasAuthorization = false;
    var token = '';
    Object.keys(editorHeaders || {}).forEach(function (name) {
      if (name.toLowerCase() === 'authorization') {
        hasAuthorization = true;
        token = bearer(editorHeaders[name]);
      } else {
        headers[name] = String(editorHeaders[name]);
      }
    });
    if (token) {
      remember(token);
    } else if (hasAuthorization) {
      token = rememberedToken();
    }
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    return { headers: headers, token: token };
  }

  // Remember a token as soon as it is pasted, not only when a query runs.
  function onEditHeaders(text) {
    try {
      resolve(JSON.parse(text));
    } catch (_) {
      // Half-typed JSON: wait for the next edit.
    }
  }

  function post(params, headers) {
    return fetch(httpUrl, {
      method: 'POST',
      credentials: 'omit',
      headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (_) {
          return { errors: [{ message: 'HTTP ' + response.status + ': ' + text }] };
        }
      });
    });
  }

  // One WebSocket client per token: connection_init carries the token, so a new token needs a
  // new connection.
  var socket = null;

  function wsClient(token) {
    if (socket && socket.token === token) {
      return socket.client;
    }
    if (socket) {
      socket.client.dispose();
    }
    var client = graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      connectionParams: token ? { Authorization: 'Bearer ' + token } : {},
    });
    socket = { token: token, client: client };
    return client;
  }

  // graphql-ws reports a refused connection as a CloseEvent, which GraphiQL would print as "{}";
  // a plain { message } prints without an Error's stack.
  function describe(error) {
    if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
      return { message: 'WebSocket closed (' + error.code + ')' + (error.reason ? ': ' + error.reason : '') };
    }
    if (error && typeof error === 'object' && error.type === 'error') {
      return { message: 'WebSocket error: cannot connect to ' + wsUrl };
    }
    return error;
  }

  function subscribe(client, params) {
    return {
      subscribe: function (observer) {
        var dispose = client.subscribe(params, {
          next: function (value) {
            observer.next(value);
          },
          error: function (error) {
            observer.error(describe(error));
          },
          complete: function () {
            observer.complete();
          },
        });
        return { unsubscribe: dispose };
      },
    };
  }

  // GraphiQL's documentAST lags behind an edit made just before running, so it only counts when
  // it was parsed from the query being sent; otherwise a regex over the text decides.
  function isSubscription(params, documentAST) {
    var fresh = documentAST && documentAST.loc && documentAST.loc.source.body === params.query;
    if (fresh) {
      var operations = documentAST.definitions.filter(function (definition) {
        return definition.kind === 'OperationDefinition';
      });
      var chosen = params.operationName
        ? operations.filter(function (op) {
            return op.name && op.name.value === params.operationName;
          })[0]
        : operations[0];
      return Boolean(chosen) && chosen.operation === 'subscription';
    }
    var text = String(params.query)
      .replace(/"(?:[^"\\]|\\.)*"/g, '""')
      .replace(/#[^\n]*/g, '');
    if (params.operationName) {
      return new RegExp('\\bsubscription\\s+' + params.operationName + '\\b').test(text);
    }
    // A definition starts the document or follows the `}` that closes the previous one.
    return /(^|\})\s*subscription\b/.test(text);
  }

  function fetcher(params, opts) {
    var resolved = resolve(opts && opts.headers);
    if (isSubscription(params, opts && opts.documentAST)) {
      return subscribe(wsClient(resolved.token), params);
    }
    return post(params, resolved.headers);
  }

  var token = rememberedToken();
  var defaultHeaders = JSON.stringify({ Authorization: 'Bearer ' + (token || PLACEHOLDER) }, null, 2);
  var defaultQuery = [
    '# 1. Paste your token in Headers below, in place of',
    '#    ' + PLACEHOLDER + ' (mint one: pnl token --org ORG).',
    '#    This browser keeps it, for subscriptions too.',
    '# 2. Run with Ctrl-Enter.',
    '{',
    '  me {',
    '    org',
    '    scopes',
    '  }',
    '}',
    '',
  ].join('\n');

  // The UMD global is the module namespace in GraphiQL 4 and the component itself in GraphiQL 3.
  var Component = window.GraphiQL.GraphiQL || window.GraphiQL;
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(Component, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      onEditHeaders: onEditHeaders,
    }),
  );
})();
