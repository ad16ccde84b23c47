import { relative } from "node:path";
import { ExportError, exceptionExportLines, kibanaImportLimits, listKey, writeExport } from "@dac/exporter";
import type { Command } from "../command.js";
import { stringOption, UsageError } from "../command.js";
import { outputFile } from "../output.js";
import { loadPublishable } from "./plan.js";

export const exportCommand: Command = {
  name: "export",
  summary: "Write the rules as ndjson that Kibana's rule import accepts.",
  usage: "dac export --out FILE.ndjson [PATH...] [options]",
  description: `One rule per line in rule_id order, with the lock's versions, each line validated against schemas/kibana; then each exception list followed by its items, as Kibana's rule export writes them (every list of the repository, or with PATH the lists the selected rules use). Value lists are not part of the ndjson (Kibana's export leaves them out too): publish them with \`dac publish\`. Over ${kibanaImportLimits.maxRules.toLocaleString("en")} rules or ${kibanaImportLimits.maxBytes / 1024 / 1024} MiB the output is split into FILE.ndjson, FILE-2.ndjson, … so that each part stays within Kibana's import limits. Rules with maturity \`development\` are left out. PATH may select rule files or folders (default: the configured rules folder).`,
  options: {
    out: { type: "string", short: "o", valueName: "FILE", description: "Output file; must end in .ndjson." },
  },
  async run({ values, positionals }, ctx) {
    const out = stringOption(values, "out");
    if (!out) throw new UsageError("--out FILE.ndjson is required");
    if (!out.endsWith(".ndjson"))
      throw new UsageError(`--out must end in .ndjson (Kibana's import rejects other names): ${out}`);
    const target = outputFile(ctx, out, "--out");
    const prepared = await loadPublishable(ctx, "dac export", positionals);
    if (!prepared) return 1;
    // Every exception list of the repository; with PATHs, those the selected rules use (as Kibana exports them).
    const used = new Set(
      prepared.payloads.flatMap((p) =>
        ((p.payload.exceptions_list ?? []) as { list_id: string; namespace_type: string }[]).map((r) =>
          listKey(r.namespace_type, r.list_id),
        ),
      ),
    );
    const lists = prepared.exceptions.lists.filter(
      (l) => positionals.length === 0 || used.has(listKey(l.namespace_type, l.list_id)),
    );
    let written;
    try {
      written = await writeExport(
        target,
        prepared.payloads.map((p) => p.payload),
        kibanaImportLimits,
        exceptionExportLines(lists, ctx.config().kibana.managementTag),
      );
    } catch (error) {
      if (error instanceof ExportError) {
        ctx.stderr(`dac export: ${error.message}\n`);
        return 1;
      }
      const { code, path } = error as NodeJS.ErrnoException;
      if (code === "EISDIR" || code === "ENOTDIR" || code === "EACCES" || code === "EROFS")
        throw new UsageError(`--out ${out}: cannot write ${path ?? out} (${code})`);
      throw error;
    }
    const show = (path: string) => relative(ctx.cwd, path) || path;
    for (const file of written.files)
      ctx.stdout(
        `wrote ${show(file.path)} (${file.rules} rules${file.exceptions > 0 ? `, ${file.exceptions} exception lists and items` : ""}, ${file.bytes} bytes)\n`,
      );
    if (written.files.length > 1) {
      ctx.stdout(
        `split into ${written.files.length} files to stay within Kibana's import limits; import each one\n`,
      );
    }
    for (const stale of written.staleParts) {
      ctx.stderr(
        `warning: ${show(stale)} is left from an earlier, larger export and is not part of this one\n`,
      );
    }
    return 0;
  },
};
