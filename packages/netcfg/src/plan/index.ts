// Plans: observed host state + desired host state -> ordered, typed operations -> the steps
// the agent runs. (simulate-plan.ts is a test model and deliberately not exported.)
export * from "./host-state";
export * from "./operations";
export * from "./format-address";
export * from "./plan-host";
export * from "./schedule-plan";
export * from "./update-owned-state";
export * from "./derive-desired-host";
export * from "./parse-frr-running-config";
