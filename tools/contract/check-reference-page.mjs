// Opens the API reference page (cargo xtask docs) in headless Chromium, fails on any console
// error, page error, failed request or request that would leave the machine, checks that Redoc
// rendered the API's sections, and saves a screenshot. Run by scripts/contract-docs.sh:
//
//   node tools/contract/check-reference-page.mjs PAGE.html SCREENSHOT.png
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM), driven with playwright-core from npm;
// it runs with a fresh profile and every background connection switched off, the page is opened
// from disk, and every http(s) request the page makes is aborted here, so nothing leaves the
// machine.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [page_path, screenshot] = process.argv.slice(2);
if (!page_path || !screenshot) {
  console.error("usage: check-reference-page.mjs PAGE.html SCREENSHOT.png");
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "ucr-reference-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 1000 },
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
// The only outside resource the page may ask for, with the reason. Redoc 3.0.1 (inlined by
// Redocly CLI 2.77.0 build-docs) draws an "API docs by Redocly" badge whose logo it always loads
// from Redocly's CDN; there is no option to turn it off, and the image hides itself when it fails
// to load, so the page loses nothing. Its aborted request and the console error it causes are
// not counted; any other outside request is.
const ALLOWED_OUTSIDE = new Set([
  "https://cdn.redoc.ly/redoc/logo-mini-full.svg",
  "https://cdn.redoc.ly/redoc/logo-mini.svg",
]);
const problems = [];
await context.route(/^https?:/, (route) => {
  const url = route.request().url();
  if (!ALLOWED_OUTSIDE.has(url)) problems.push(`the page asked for an outside resource: ${url}`);
  return route.abort();
});
try {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (ALLOWED_OUTSIDE.has(message.location().url)) return;
    problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    if (ALLOWED_OUTSIDE.has(request.url())) return;
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  await page.goto(pathToFileURL(resolve(page_path)).href, { waitUntil: "load" });
  // Redoc hydrates the prerendered page: wait until its sidebar lists the API's tags (one
  // section each), then for the page to settle.
  await page.waitForSelector("[data-section-id='/transfers']", {
    state: "attached",
    timeout: 60_000,
  });
  await page.waitForSelector("[data-component-name='Menu/MenuItem']", { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  const sections = await page.$$eval("[data-section-id]", (all) =>
    all.map((e) => e.getAttribute("data-section-id")),
  );
  const title = await page.title();
  console.log(`"${title}": ${new Set(sections).size} sections rendered`);
  for (const tag of ["/accounts", "/transfers", "/registers", "/webhooks", "/sandbox"]) {
    if (!sections.includes(tag)) problems.push(`no section ${tag} rendered`);
  }
  await page.screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`${problems.length} problem(s) in the reference page`);
  process.exit(1);
}
console.log("no console errors, page errors or failed requests");
