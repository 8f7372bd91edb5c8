// @meshover/netcfg: the pure network model shared by the controller and the agent.
export * from "./config";
export * from "./protocol";
