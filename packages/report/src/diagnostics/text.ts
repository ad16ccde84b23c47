import pc from "picocolors";

/** Colour functions, switched off for files, pipes and NO_COLOR. */
export type Paint = Pick<typeof pc, "red" | "yellow" | "green" | "cyan" | "dim" | "bold" | "gray">;

export function paint(enabled: boolean): Paint {
  const colors = pc.createColors(enabled);
  return colors;
}
