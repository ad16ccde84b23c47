/**
 * Date math outside queries: a rule's `from`, `to` and `history_window_start` at an execution's `now`, which
 * Kibana resolves with `@elastic/datemath` (`now-7d`, `now-1h/h`, or an absolute date), rounding down.
 */
import { dateFormat, parseDateMath } from "./values-date.js";

const format = dateFormat();

/** The instant `text` names at `now`, or undefined when it is not date math. */
export function resolveDateMath(text: string, now: Date): Date | undefined {
  try {
    return new Date(parseDateMath(text.trim(), format, { ms: now.getTime(), ns: 0 }, false).ms);
  } catch {
    return undefined;
  }
}
