/** The agent's version, reported to the controller with every health report. */
export const AGENT_VERSION = "0.1.0";
