// Type-checks Grafana dashboard JSON files against @grafana/schema's Dashboard type with the TypeScript compiler:
// each file becomes `const dashboard: Dashboard = <its JSON>` (so excess properties and wrong types are errors) in a
// scratch folder, and tsc --noEmit --strict checks them. Exits with tsc's status.
// Usage: node check-dashboards.mjs <dashboard.json>...
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const here = dirname(fileURLToPath(import.meta.url));
const scratch = join(here, ".dashboards-ts");
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch);
const files = [];
for (const file of process.argv.slice(2)) {
  const json = JSON.parse(readFileSync(file, "utf8"));
  const ts = join(scratch, basename(file).replace(/\.json$/, "") + ".ts");
  writeFileSync(ts, `// ${file}\nimport type { Dashboard } from "@grafana/schema";\n\n`
    + `export const dashboard: Dashboard = ${JSON.stringify(json, null, 2)};\n`);
  files.push(ts);
}
if (files.length === 0) {
  console.error("no dashboards given");
  process.exit(1);
}
const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
const r = spawnSync(process.execPath, [tsc, "--noEmit", "--strict", "--skipLibCheck", "--target", "es2022",
  "--module", "nodenext", "--moduleResolution", "nodenext", ...files], { cwd: here, encoding: "utf8" });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
console.log(r.status === 0 ? `${files.length} dashboards match @grafana/schema's Dashboard` : "dashboards do not type-check");
process.exit(r.status ?? 1);
