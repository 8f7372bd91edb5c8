// @meshover/netcfg: the pure network model shared by the controller and the agent.
export * from "./config";
export * from "./protocol";
export * from "./trpc-path";
export * from "./netcfg-error";
export * from "./parse-cidr";
export * from "./allocate-identity";
export * from "./validate-prefixes";
export * from "./compile-node-configs";
export * from "./diff-node-config";
export * from "./derive-tunnels";
export * from "./derive-frr-config";
export * from "./render-frr-config";
export * from "./parse-tool-json";
export * from "./parse-ip-json";
export * from "./parse-wg-dump";
export * from "./parse-vtysh-json";
export * from "./plan";
