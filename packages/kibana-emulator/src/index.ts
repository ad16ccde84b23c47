export { startEmulator, apiVersion, maxBodyBytes } from "./server.js";
export type { Emulator, EmulatorOptions, EmulatorState, RequestRecord } from "./server.js";
export type { Fault, FaultSpec } from "./faults.js";
export type { StoredRule, SpaceState } from "./store.js";
export type { ImportResponse, ErrorItem } from "./operations.js";
export type {
  ExceptionNamespace,
  StoredExceptionItem,
  StoredExceptionList,
  StoredValueList,
  ValueListState,
} from "./exceptions.js";
