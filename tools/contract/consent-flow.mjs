// The mock's sign-in and consent page in a real browser: the OAuth 2.0 authorization code flow
// with PKCE completed by clicking, as a representative would. Run by scripts/consent-browser.sh:
//
//   node tools/contract/consent-flow.mjs BASE_URL SCREENSHOT.png
//
// Against a standalone ucr-mock at BASE_URL (loopback), through its sandbox API: a holder, an
// account with 25 units and a representative, and a public OAuth client whose redirect URI is a
// loopback listener this script runs. Pass 1 opens the authorization URL in headless Chromium
// (Debian's /usr/bin/chromium or $CHROMIUM, driven with playwright-core), picks the
// representative, saves a screenshot of the page, CLICKS approve, and the browser follows the 303
// to the listener; the code is exchanged with the PKCE verifier and the holdings are read with
// the access token. Pass 2 clicks decline and expects `error=access_denied` and the same `state`
// at the redirect URI. Every request the browser makes off loopback is aborted and fails the run.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error("usage: consent-flow.mjs BASE_URL SCREENSHOT.png");
  process.exit(2);
}
const problems = [];
const fail = (message) => {
  throw new Error(message);
};

async function call(method, path, { token, json, form, expect = [200, 201] } = {}) {
  const headers = { accept: "application/json" };
  let body;
  if (token) headers.authorization = `Bearer ${token}`;
  if (method !== "GET") headers["idempotency-key"] = randomBytes(16).toString("hex");
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(`${base}${path}`, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  if (!expect.includes(response.status)) {
    fail(`${method} ${path}: expected HTTP ${expect.join(" or ")}, got ${response.status}: ${text.slice(0, 400)}`);
  }
  return text ? JSON.parse(text) : null;
}

// The redirect URI: a loopback listener that records each query it receives.
const arrivals = [];
const waiting = [];
const listener = createServer((request, response) => {
  const url = new URL(request.url, "http://127.0.0.1");
  response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  response.end("<!doctype html><title>Back at the app</title><p>The app received the answer.</p>");
  if (url.pathname !== "/callback") return;
  const arrival = Object.fromEntries(url.searchParams);
  const next = waiting.shift();
  if (next) next(arrival);
  else arrivals.push(arrival);
});
await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
const redirectUri = `http://127.0.0.1:${listener.address().port}/callback`;
const nextArrival = () =>
  new Promise((resolve, reject) => {
    if (arrivals.length > 0) return resolve(arrivals.shift());
    const timer = setTimeout(() => reject(new Error("the redirect URI was not reached within 30 s")), 30_000);
    waiting.push((arrival) => {
      clearTimeout(timer);
      resolve(arrival);
    });
  });

// Fixtures through the sandbox API.
const operator = (await call("POST", "/v1/sandbox/operator-sessions")).token;
const holder = await call("POST", "/v1/sandbox/account-holders", {
  token: operator,
  json: { name: "Mallee Carbon Pty Ltd" },
});
const account = await call("POST", "/v1/sandbox/accounts", {
  token: operator,
  json: { holder_id: holder.holder_id, name: "Trading", kind: "holding" },
});
const representative = await call(
  "POST",
  `/v1/sandbox/accounts/${account.account_id}/representatives`,
  { token: operator, json: { name: "Priya Natarajan", roles: ["initiator", "approver"] } },
);
await call("POST", "/v1/sandbox/issuances", {
  token: operator,
  json: {
    account_id: account.account_id,
    unit_type: "ACCU",
    quantity: 25,
    project_id: "ERF101234",
    vintage: "2023-24",
    method: "Plantation forestry",
    state: "NSW",
  },
});
const app = await call("POST", "/v1/sandbox/oauth-clients", {
  token: operator,
  json: { name: "Mallee Carbon mobile", client_type: "public", redirect_uris: [redirectUri] },
});
if (app.client_secret) problems.push("a public client was given a client_secret");
const metadata = await call("GET", "/.well-known/oauth-authorization-server");
console.log(`authorization endpoint: ${metadata.authorization_endpoint}`);

const base64url = (bytes) => Buffer.from(bytes).toString("base64url");
function authorization(scope) {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const url = new URL(metadata.authorization_endpoint);
  const query = {
    response_type: "code",
    client_id: app.client_id,
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: base64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return { url: url.href, verifier, state };
}

const profile = mkdtempSync(join(tmpdir(), "ucr-consent-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  javaScriptEnabled: false,
  viewport: { width: 1000, height: 900 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
await context.route(/^https?:/, (route) => {
  const url = new URL(route.request().url());
  if (url.hostname === "127.0.0.1") return route.continue();
  problems.push(`the browser asked for an off-loopback resource: ${url.href}`);
  return route.abort();
});

try {
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

  // Pass 1: approve.
  const approve = authorization("accounts:read transfers:write");
  const shown = await page.goto(approve.url, { waitUntil: "load" });
  if (shown.status() !== 200) fail(`the authorization page answered HTTP ${shown.status()}`);
  const text = await page.innerText("body");
  for (const expected of [app.name, representative.name]) {
    if (!text.includes(expected)) problems.push(`the consent page does not show ${JSON.stringify(expected)}`);
  }
  if (!/transfer/i.test(text)) problems.push("the consent page does not describe the transfers:write scope in words");
  await page.selectOption("select[name=representative_id]", representative.representative_id);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot of the consent page: ${screenshot}`);
  const approved = nextArrival();
  await page.click("#approve");
  const answer = await approved;
  await page.waitForURL((url) => url.href.startsWith(redirectUri));
  if (answer.state !== approve.state) fail(`approve: state ${answer.state} came back for ${approve.state}`);
  if (!answer.code) fail(`approve: the redirect carries no code: ${JSON.stringify(answer)}`);
  const extra = Object.keys(answer).filter((name) => name !== "code" && name !== "state");
  if (extra.length > 0) problems.push(`approve: the redirect carries more than code and state: ${extra}`);
  console.log(`approved by clicking: the browser reached the redirect URI with a code and the state`);

  const tokens = await call("POST", "/v1/oauth/token", {
    form: {
      grant_type: "authorization_code",
      code: answer.code,
      redirect_uri: redirectUri,
      code_verifier: approve.verifier,
      client_id: app.client_id,
    },
  });
  if (tokens.token_type.toLowerCase() !== "bearer" || !tokens.refresh_token) {
    fail(`the token response is not a Bearer token with a refresh token: ${Object.keys(tokens)}`);
  }
  const scopes = new Set(tokens.scope.split(" "));
  if (!scopes.has("accounts:read") || !scopes.has("transfers:write") || scopes.size !== 2) {
    problems.push(`the token carries scope ${JSON.stringify(tokens.scope)}, not the two approved`);
  }
  const holdings = await call("GET", `/v1/accounts/${account.account_id}/holdings`, {
    token: tokens.access_token,
  });
  const units = holdings.items.reduce((sum, block) => sum + block.quantity, 0);
  if (units !== 25) fail(`the holdings read with the flow's token show ${units} units, not 25`);
  console.log(`code exchanged with the PKCE verifier; holdings read with the token: ${units} units`);

  // Pass 2: decline.
  const decline = authorization("accounts:read");
  await page.goto(decline.url, { waitUntil: "load" });
  await page.selectOption("select[name=representative_id]", representative.representative_id);
  const declined = nextArrival();
  await page.click("#decline");
  const refusal = await declined;
  if (refusal.error !== "access_denied") fail(`decline: expected error=access_denied, got ${JSON.stringify(refusal)}`);
  if (refusal.state !== decline.state) fail(`decline: state ${refusal.state} came back for ${decline.state}`);
  if (refusal.code) problems.push("decline: the redirect carries a code");
  console.log("declined by clicking: error=access_denied and the state at the redirect URI");
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  listener.close();
}
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`${problems.length} problem(s) in the consent flow`);
  process.exit(1);
}
console.log("the consent flow works in headless Chromium");
