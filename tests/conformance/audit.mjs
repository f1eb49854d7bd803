#!/usr/bin/env node
// GraphQL-over-HTTP conformance audit (the `graphql-http` package's server audits) against a
// running pnl server.
//
//   node tests/conformance/audit.mjs [URL] [TOKEN]
//
// URL defaults to $PNL_CONFORMANCE_URL, TOKEN to $PNL_CONFORMANCE_TOKEN (optional). Every request
// the audits send carries `Authorization: Bearer TOKEN` when a token is given: the audits query
// `{ __typename }`, `__type(name: …)` and `mutation { __typename }`, and the server answers a
// request without a token as an anonymous caller.
//
// Prints one line per audit (`ok`, `WARN` for a failed SHOULD or MAY, `FAIL` for a failed MUST or
// an audit that could not run), the reason and what the server answered, then the warnings count,
// then `N passed, N failed` over the MUST audits. Exits 1 if any MUST audit failed, 2 on bad usage.

import { serverAudits } from 'graphql-http';

const url = process.argv[2] || process.env.PNL_CONFORMANCE_URL;
const token = process.argv[3] || process.env.PNL_CONFORMANCE_TOKEN || '';
const TIMEOUT_MS = 15_000;

if (!url) {
  console.error('usage: node audit.mjs URL [TOKEN]  (or PNL_CONFORMANCE_URL, PNL_CONFORMANCE_TOKEN)');
  process.exit(2);
}

/** `fetch` with the bearer token (and a time limit) added to every request. */
async function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) {
    headers.set('authorization', `Bearer ${token}`);
  }
  return fetch(input, {
    ...init,
    headers,
    signal: init.signal ?? AbortSignal.timeout(TIMEOUT_MS),
  });
}

/** What the server answered, on one line: status, content type and the start of the body. */
async function describe(response) {
  if (!response) {
    return '';
  }
  let body;
  try {
    body = await response.text();
  } catch {
    body = '(body already read)';
  }
  body = body.replace(/\s+/g, ' ').trim();
  if (body.length > 300) {
    body = `${body.slice(0, 300)}…`;
  }
  const type = response.headers.get('content-type') ?? '(none)';
  return ` [got ${response.status}, content-type: ${type}, body: ${body || '(empty)'}]`;
}

const level = (name) => name.split(' ')[0];

let passed = 0;
let failed = 0;
let warnings = 0;
for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
  const must = level(name) === 'MUST';
  let result;
  try {
    result = await fn();
  } catch (error) {
    // Not an assertion: the audit could not run at all (server down, time-out…).
    failed += 1;
    console.log(`FAIL ${id} ${name}: the audit could not run: ${error?.stack ?? error}`);
    continue;
  }
  if (result.status === 'ok') {
    if (must) {
      passed += 1;
    }
    console.log(`ok   ${id} ${name}`);
  } else if (result.status === 'error' || must) {
    failed += 1;
    console.log(`FAIL ${id} ${name}: ${result.reason}${await describe(result.response)}`);
  } else {
    warnings += 1;
    console.log(`WARN ${id} ${name}: ${result.reason}${await describe(result.response)}`);
  }
}

console.log(`${warnings} SHOULD/MAY warnings`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
