// KQL parse throughput on the two seed rules' queries (target: ≥ 50,000 parses/s of the longer one, one core).
// Run: npx turbo run build --filter=@dac/kql && node bench/kql-parse.bench.mjs
import { performance } from "node:perf_hooks";
import { parse } from "@dac/kql";

const queries = {
  kubernetes_suspicious_self_subject_review: `event.dataset : "kubernetes.audit_logs"
  and kubernetes.audit.annotations.authorization_k8s_io/decision:"allow"
  and kubernetes.audit.verb:"create"
  and kubernetes.audit.objectRef.resource:("selfsubjectaccessreviews" or "selfsubjectrulesreviews")
  and (kubernetes.audit.user.username:(system\\:serviceaccount\\:* or system\\:node\\:*)
  or kubernetes.audit.impersonatedUser.username:(system\\:serviceaccount\\:* or system\\:node\\:*))`,
  kubernetes_denied_service_account_request: `event.dataset: "kubernetes.audit_logs"
  and kubernetes.audit.user.username: system\\:serviceaccount\\:*
  and kubernetes.audit.annotations.authorization_k8s_io/decision: "forbid"`,
};

function measure(query) {
  for (let i = 0; i < 50_000; i++) parse(query); // warm up
  let runs = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < 1000) {
    for (let i = 0; i < 1000; i++) parse(query);
    runs += 1000;
    elapsed = performance.now() - started;
  }
  return runs / (elapsed / 1000);
}

for (const [name, query] of Object.entries(queries)) {
  const rate = measure(query);
  console.log(
    `kql parse  ${name} (${query.length} chars): ${Math.round(rate).toLocaleString("en-US")} parses/s`,
  );
}
