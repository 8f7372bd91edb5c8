// The commands an admin pastes on a new server. Kept in one place so the "Join command" tab,
// the tokens page and the docs agree.

/** Shell lines to download the agent, join with `token` and start it. */
export function formatJoinCommand(options: { controllerUrl: string; token: string }): string {
  const url = options.controllerUrl.replace(/\/+$/, "");
  const allowHttp = url.startsWith("http://") ? " --allow-http" : "";
  return [
    `curl -fsSL -o meshover-agent.mjs ${url}/downloads/meshover-agent.mjs`,
    `sudo node meshover-agent.mjs join --controller ${url} --token ${options.token}${allowHttp}`,
    `sudo node meshover-agent.mjs run`,
  ].join("\n");
}
