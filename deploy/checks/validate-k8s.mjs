// Validates every object in the given YAML files against the Kubernetes OpenAPI schema, offline: kubernetes-models
// (and @kubernetes-models/prometheus-operator for ServiceMonitor and PrometheusRule) carry the schemas. An object of a
// kind neither package knows is an error, not a skip. Prints one line per object; exits 1 if any is invalid.
// Usage: node validate-k8s.mjs <file.yaml>...
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

function modulePath(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  return group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (doc == null) continue;
    const where = `${file}: ${doc.kind} ${doc.metadata?.name}`;
    checked++;
    try {
      const mod = await import(modulePath(String(doc.apiVersion)));
      const Model = mod[doc.kind];
      if (typeof Model !== "function") throw new Error(`unknown kind ${doc.apiVersion}/${doc.kind}`);
      new Model(doc).validate();
      console.log(`ok      ${where}`);
    } catch (e) {
      failures++;
      console.log(`INVALID ${where}: ${e.message}`);
    }
  }
}
console.log(`${checked} objects checked, ${failures} invalid`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
