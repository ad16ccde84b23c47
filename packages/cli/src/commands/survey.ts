import type { SurveyFormat, SurveyRule } from "@dac/elasticsearch";
import { surveyFormats } from "@dac/elasticsearch/settings";
import { loadRules, ruleFieldCatalog } from "@dac/schema";
import type { Command } from "../command.js";
import { formatOption, listOption, stringOption, UsageError } from "../command.js";
import {
  elasticsearch,
  esConnectionOptions,
  esCredentialsHelp,
  openConnection,
  rethrowAsUsage,
} from "./engine.js";

export const surveyCommand: Command = {
  name: "survey",
  summary:
    "Run the rules against a cluster's existing indices, read-only: hits, would-be alerts, time, errors.",
  usage: "dac survey --es-url URL [--index PATTERN] [--from now-7d] [PATH...] [options]",
  description: [
    "Per rule: the hits of its query in the window (the search Kibana's detection engine sends, on the real field types from _field_caps), the alerts it would have written running every `interval` with at most `max_signals` a run, the time it took, and errors: a search Elasticsearch refuses, a query field the cluster types differently from the rule's field catalogue or does not map, an index pattern that matches nothing.",
    "Only _field_caps, _search (size 0) and, for EQL rules, _eql/search are sent: nothing is written. PATH may select rule files or folders (default: the configured rules folder). Query, saved_query, threshold and EQL rules get their would-be alerts; new_terms and threat_match an upper bound (their hits); ES|QL and machine learning rules are listed as unsupported.",
    "Exit codes: 0 no rule had an error, 1 some rule had errors, 2 usage, configuration or connection error.",
    esCredentialsHelp,
  ].join("\n"),
  options: {
    ...esConnectionOptions,
    index: {
      type: "string",
      multiple: true,
      valueName: "PATTERN",
      description: "Search these index patterns instead of each rule's `index`. (comma lists allowed)",
    },
    from: {
      type: "string",
      valueName: "DATE",
      default: "now-7d",
      description: "Start of the window: date math (now-7d) or an ISO date.",
    },
    to: { type: "string", valueName: "DATE", default: "now", description: "End of the window." },
    format: formatOption(surveyFormats),
  },
  async run({ values, positionals }, ctx) {
    const format = (stringOption(values, "format") ?? "pretty") as SurveyFormat;
    const from = stringOption(values, "from") ?? "now-7d";
    const to = stringOption(values, "to") ?? "now";
    for (const [flag, value] of [
      ["--from", from],
      ["--to", to],
    ] as const) {
      if (!/^now([+-]\d+[smhdwMy])*(\/[smhdwMy])?$/.test(value) && Number.isNaN(Date.parse(value)))
        throw new UsageError(`${flag} must be date math such as now-7d, or an ISO date, not \`${value}\``);
    }
    const index = listOption(values, "index")
      .flatMap((v) => v.split(","))
      .map((v) => v.trim())
      .filter(Boolean);
    const config = ctx.config();
    const loaded = loadRules(positionals, config, ctx.cwd);
    if (loaded.files.length === 0)
      throw new UsageError(
        `no rule files found in ${positionals.length > 0 ? positionals.join(", ") : config.rules}`,
      );
    const invalid = loaded.files.length - loaded.rules.filter((r) => r.valid).length;
    if (invalid > 0)
      ctx.stderr(
        `${invalid} rule file(s) do not validate and are left out; run \`dac validate\` to see why\n`,
      );
    const rules: SurveyRule[] = loaded.rules
      .filter((r) => r.valid)
      .map((r) => ({
        file: r.file,
        data: r.data,
        name: typeof r.data.name === "string" ? r.data.name : r.file,
        catalog: ruleFieldCatalog(r.data, config),
      }));
    if (rules.length === 0) throw new UsageError("no valid rule to survey");
    const { checkReachable, formatSurvey, progressBar, surveyRules } = await elasticsearch();
    const connection = await openConnection(values, ctx);
    try {
      await checkReachable(connection).catch(rethrowAsUsage);
      // A progress bar on long runs, for a terminal only (never in CI logs or piped output).
      const bar = process.stderr.isTTY === true && rules.length > 1;
      const result = await surveyRules(connection.client, rules, {
        ...(index.length ? { index } : {}),
        from,
        to,
        redact: connection.redact,
        ...(bar ? { onProgress: (done, total) => ctx.stderr(progressBar(done, total)) } : {}),
      });
      if (bar) ctx.stderr("\n");
      ctx.stdout(formatSurvey(result, format, { color: ctx.color }));
      return result.summary.errors > 0 ? 1 : 0;
    } finally {
      await connection.client.close().catch(() => undefined);
    }
  },
};
