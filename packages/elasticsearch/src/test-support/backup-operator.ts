// The exception both exception tests of the engine use (exceptions-engine.test.ts without a node,
// exceptions-node.test.ts on one): an item that removes the backup service account's logons.
import type { ExceptionItem, RuleExceptions } from "@dac/exceptions";
import { fieldCatalog } from "@dac/fields";

export const catalog = fieldCatalog({ ecs: true });
export const now = new Date("2026-03-01T10:00:00Z");

const operator: ExceptionItem = {
  item_id: "backup-operator",
  name: "Backup operator",
  description: "The backup service account logs on everywhere by design",
  entries: [{ field: "user.name", type: "match", operator: "included", value: "svc-backup" }],
} as ExceptionItem;

export const exceptions: RuleExceptions = {
  items: [
    {
      item: operator,
      list_id: "auth-exceptions",
      location: { file: "exceptions/a.yaml", line: 1, column: 1 },
    },
  ],
  valueLists: {},
};
