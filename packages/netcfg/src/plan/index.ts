// Plans: observed host state + desired host state -> ordered, typed operations.
export * from "./host-state";
export * from "./operations";
export * from "./normalize-address";
export * from "./plan-host";
export * from "./simulate-plan";
export * from "./derive-desired-host";
export * from "./parse-frr-running-config";
