/**
 * Clause and branch coverage of a query by its fixtures.
 *
 * For one event, every node of the query's boolean tree has a truth value. The nodes that *decide* the
 * result are found top-down: a true `and` needs all its children, a false `and` is decided by its false
 * children, a true `or` by its true children, a false `or` by all of them, and `not` passes the question on.
 * - A leaf clause is exercised by a positive when it decides a positive that matched.
 * - A branch is an alternative of an effective OR: the children of an `or`, or of an `and` under an odd
 *   number of `not`s. It is covered when it decides a matching positive in the "taken" direction.
 * - A leaf decides a negative when it is among the deciding nodes of a negative that did not match.
 */
import type { ClauseTree } from "./engine.js";
import type { EventDocument } from "./event-files.js";

export interface ClauseCount {
  node: Extract<ClauseTree, { kind: "leaf" }>;
  positives: number;
  negatives: number;
}

export interface BranchCount {
  node: ClauseTree;
  positives: number;
}

export interface CoverageCounts {
  clauses: ClauseCount[];
  branches: BranchCount[];
  /** Covered branches in percent, rounded down; 100 for a query without alternatives. */
  branchPercent: number;
}

export function measureCoverage(
  tree: ClauseTree,
  positives: readonly EventDocument[],
  negatives: readonly EventDocument[],
): CoverageCounts {
  const clauses = new Map<ClauseTree, ClauseCount>();
  const branches = new Map<ClauseTree, BranchCount>();
  collect(tree, false, clauses, branches);

  for (const event of positives) {
    const values = truth(tree, event);
    if (!values.get(tree)) continue;
    walkDeciding(tree, values, false, (node, value, oddParent) => {
      const branch = branches.get(node);
      if (branch && value === !oddParent) branch.positives++;
      const clause = clauses.get(node);
      if (clause) clause.positives++;
    });
  }
  for (const event of negatives) {
    const values = truth(tree, event);
    if (values.get(tree)) continue;
    walkDeciding(tree, values, false, (node) => {
      const clause = clauses.get(node);
      if (clause) clause.negatives++;
    });
  }
  const all = [...branches.values()];
  const covered = all.filter((b) => b.positives > 0).length;
  return {
    clauses: [...clauses.values()],
    branches: all,
    branchPercent: all.length === 0 ? 100 : Math.floor((covered / all.length) * 100),
  };
}

/** Registers leaves and branches in query order. `odd`: under an odd number of `not`s. */
function collect(
  node: ClauseTree,
  odd: boolean,
  clauses: Map<ClauseTree, ClauseCount>,
  branches: Map<ClauseTree, BranchCount>,
): void {
  switch (node.kind) {
    case "leaf":
      clauses.set(node, { node, positives: 0, negatives: 0 });
      return;
    case "not":
      collect(node.child, !odd, clauses, branches);
      return;
    default: {
      const alternatives = (node.kind === "or") !== odd;
      for (const child of node.children) {
        if (alternatives && node.children.length > 1) branches.set(child, { node: child, positives: 0 });
        collect(child, odd, clauses, branches);
      }
    }
  }
}

function truth(tree: ClauseTree, event: EventDocument): Map<ClauseTree, boolean> {
  const values = new Map<ClauseTree, boolean>();
  const visit = (node: ClauseTree): boolean => {
    let value: boolean;
    switch (node.kind) {
      case "leaf":
        value = node.test(event);
        break;
      case "not":
        value = !visit(node.child);
        break;
      case "and": {
        // Every child is evaluated (no short circuit): coverage needs each clause's value.
        const results = node.children.map(visit);
        value = results.every(Boolean);
        break;
      }
      case "or": {
        const results = node.children.map(visit);
        value = results.some(Boolean);
        break;
      }
    }
    values.set(node, value);
    return value;
  };
  visit(tree);
  return values;
}

function walkDeciding(
  node: ClauseTree,
  values: Map<ClauseTree, boolean>,
  oddParent: boolean,
  visit: (node: ClauseTree, value: boolean, oddParent: boolean) => void,
  odd = false,
): void {
  const value = values.get(node)!;
  visit(node, value, oddParent);
  switch (node.kind) {
    case "leaf":
      return;
    case "not":
      walkDeciding(node.child, values, oddParent, visit, !odd);
      return;
    default: {
      const all = node.kind === "and" ? value : !value;
      for (const child of node.children) {
        if (all || values.get(child) === value) walkDeciding(child, values, odd, visit, odd);
      }
    }
  }
}
