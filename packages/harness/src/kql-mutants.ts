/**
 * Mutation operators on a KQL syntax tree. Each mutant replaces one node of the tree; a mutant that no
 * fixture notices (every case still passes) shows where the fixtures are too weak to pin the query down.
 */
import type { KqlNode, LiteralNode, Span, WildcardNode } from "@dac/kql";

export type MutationOperator =
  "drop-clause" | "swap-and-or" | "remove-not" | "change-literal" | "widen-wildcard";

export interface AstMutant {
  operator: MutationOperator;
  description: string;
  ast: KqlNode;
  /** The part of the original query that changed. */
  span: Span;
}

/** Appended to a literal by `change-literal`: a value no realistic event holds. */
export const mutatedSuffix = "_mutant";

/** Every single-node mutation of `root`. `show` renders a node as KQL for the descriptions. */
export function mutateKql(root: KqlNode, show: (node: KqlNode) => string): AstMutant[] {
  return [...lazyMutations(root, show)].map(({ tree, ...m }) => ({ ...m, ast: tree() }));
}

/** A mutation whose tree is built only when asked for (building each tree copies the query). */
export interface LazyMutant extends Omit<AstMutant, "ast"> {
  tree: () => KqlNode;
}

/** The mutations of `root` one at a time, in the same order as `mutateKql`. */
export function* lazyMutations(root: KqlNode, show: (node: KqlNode) => string): Generator<LazyMutant> {
  const stack: KqlNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const m of nodeMutations(node, show)) {
      yield {
        operator: m.operator,
        description: m.description,
        span: m.span,
        tree: () => replaceNode(root, node, m.replacement),
      };
    }
    // Depth first, children in order (the parser bounds the depth; the stack avoids recursion anyway).
    switch (node.type) {
      case "and":
      case "or":
        for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
        break;
      case "not":
      case "nested":
        stack.push(node.child);
        break;
    }
  }
}

interface NodeMutation {
  operator: MutationOperator;
  description: string;
  span: Span;
  replacement: KqlNode;
}

function nodeMutations(node: KqlNode, show: (node: KqlNode) => string): NodeMutation[] {
  switch (node.type) {
    case "and":
    case "or": {
      const out: NodeMutation[] = node.children.map((child, i) => {
        const rest = node.children.filter((_, k) => k !== i);
        return {
          operator: "drop-clause",
          description: `dropped \`${show(child)}\``,
          span: child.span,
          replacement: rest.length === 1 ? rest[0]! : { ...node, children: rest },
        };
      });
      const other = node.type === "and" ? "or" : "and";
      out.push({
        operator: "swap-and-or",
        description: `\`${node.type}\` became \`${other}\` in \`${show(node)}\``,
        span: node.span,
        replacement: { ...node, type: other },
      });
      return out;
    }
    case "not":
      return [
        {
          operator: "remove-not",
          description: `removed \`not\` from \`${show(node)}\``,
          span: node.span,
          replacement: node.child,
        },
      ];
    case "is":
      return isMutations(node, show);
    case "range": {
      const changed = changedLiteral(node.value);
      if (!changed) return [];
      const replacement: KqlNode = { ...node, value: changed };
      return [
        {
          operator: "change-literal",
          description: `\`${show(node)}\` became \`${show(replacement)}\``,
          span: node.value.span,
          replacement,
        },
      ];
    }
    default:
      return [];
  }
}

function isMutations(
  node: Extract<KqlNode, { type: "is" }>,
  show: (node: KqlNode) => string,
): NodeMutation[] {
  const out: NodeMutation[] = [];
  const value = node.value;
  const become = (operator: MutationOperator, replacementValue: LiteralNode | WildcardNode) => {
    const replacement: KqlNode = { ...node, value: replacementValue };
    out.push({
      operator,
      description: `\`${show(node)}\` became \`${show(replacement)}\``,
      span: value.span,
      replacement,
    });
  };
  if (value.type === "literal") {
    const changed = changedLiteral(value);
    if (changed) become("change-literal", changed);
    return out;
  }
  const lone = value.parts.length === 2 && value.parts[0] === "" && value.parts[1] === "";
  if (lone) return out;
  const k = value.parts.findIndex((p) => p !== "");
  const parts = value.parts.map((p, i) => (i === k ? p + mutatedSuffix : p));
  become("change-literal", { ...value, parts });
  become("widen-wildcard", { type: "wildcard", parts: ["", ""], span: value.span });
  // `system:serviceaccount:*` → `system:serviceaccount*`: one character looser, which a near miss such
  // as `system:serviceaccounts:…` tells apart.
  const last = value.parts.length - 2;
  const before = value.parts[last]!;
  if (value.parts[last + 1] === "" && before.length > 1) {
    become("widen-wildcard", { ...value, parts: [...value.parts.slice(0, last), before.slice(0, -1), ""] });
  }
  return out;
}

/** A different literal of the same kind: booleans flip, integers step by one, strings get a suffix. */
function changedLiteral(literal: LiteralNode): LiteralNode | undefined {
  const v = literal.value;
  if (typeof v === "boolean") return { ...literal, value: !v };
  if (typeof v !== "string") return undefined;
  if (/^-?\d+$/.test(v)) return { ...literal, value: String(BigInt(v) + 1n) };
  return { ...literal, value: v + mutatedSuffix };
}

/** `root` with `target` (by identity) replaced; untouched subtrees are shared. */
export function replaceNode(root: KqlNode, target: KqlNode, replacement: KqlNode): KqlNode {
  if (root === target) return replacement;
  switch (root.type) {
    case "and":
    case "or": {
      const children = root.children.map((c) => replaceNode(c, target, replacement));
      return children.every((c, i) => c === root.children[i]) ? root : { ...root, children };
    }
    case "not":
    case "nested": {
      const child = replaceNode(root.child, target, replacement);
      return child === root.child ? root : { ...root, child };
    }
    default:
      return root;
  }
}
