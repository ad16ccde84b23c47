import type { DacConfig } from "@dac/schema";
import { catalogRequiredFields } from "./required-fields.js";
import type { RequiredFieldsFn } from "./types.js";

export interface PayloadSettings {
  managementTag: string;
  requiredFields: RequiredFieldsFn;
}

/** The payload options every command must share, or lock hashes would disagree between commands. */
export function payloadSettings(config: DacConfig): PayloadSettings {
  return { managementTag: config.kibana.managementTag, requiredFields: catalogRequiredFields(config) };
}
