// Build the script and styles of coachkit's workbook pages into the page template:
//   cd frontend && npm ci && npm run build
// The first line of the script names a hash of everything it is built from, so a
// test (tests/test_page_script.py) sees when the sources changed without a rebuild.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "coachkit", "web", "voila", "share", "jupyter", "voila",
  "templates", "coachkit", "static");

// Keep this list in step with SOURCES in tests/test_page_script.py.
export function sources() {
  const src = readdirSync(join(here, "src")).sort().map((name) => join("src", name));
  return ["build.mjs", "package.json", "package-lock.json", ...src];
}

export function sourceHash() {
  const hash = createHash("sha256");
  for (const name of sources()) {
    hash.update(name + "\0");
    hash.update(readFileSync(join(here, name)).toString("utf8").replace(/\r\n/g, "\n"));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const result = await esbuild.build({
  entryPoints: {
    "coachkit-page": join(here, "src", "index.js"),
    "coachkit-charts": join(here, "src", "charts.js"),
  },
  outdir: out,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  charset: "utf8",
  legalComments: "none",
  metafile: true,
  banner: { js: `/* coachkit page script, built from sources ${sourceHash()} */` },
  loader: { ".svg": "dataurl", ".woff": "dataurl", ".woff2": "dataurl" },
  logLevel: "warning",
});

// Every package in the bundle, with its license text, next to the script.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/^([^:]*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.set(match[1], true);
}
const notices = [...packages.keys()].sort().map((folder) => {
  const meta = JSON.parse(readFileSync(join(here, folder, "package.json"), "utf8"));
  const file = readdirSync(join(here, folder)).find((name) => /^(license|licence|copying)/i.test(name));
  const text = file ? readFileSync(join(here, folder, file), "utf8").trim() : `License: ${meta.license}`;
  return `${meta.name} ${meta.version} (${meta.license})\n\n${text}\n`;
});
writeFileSync(
  join(out, "coachkit-page.licenses.txt"),
  "coachkit-page.js and coachkit-charts.js bundle these packages, each under its " +
    "own license.\n\n" +
    notices.join("\n" + "-".repeat(72) + "\n\n"),
);
