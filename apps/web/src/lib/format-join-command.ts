// The commands an admin pastes on a new server. Kept in one place so the "Join command" tab,
// the tokens page and the docs agree.

/**
 * Shell lines to download the agent, join with `token` and start it. With `pins` (a
 * self-signed controller certificate) curl and the agent trust exactly that certificate, like
 * `kubeadm join --discovery-token-ca-cert-hash`.
 */
export function formatJoinCommand(options: {
  controllerUrl: string;
  token: string;
  pins?: { certSha256: string; spkiSha256: string } | null;
}): string {
  const url = options.controllerUrl.replace(/\/+$/, "");
  const allowHttp = url.startsWith("http://") ? " --allow-http" : "";
  const isPinned = Boolean(options.pins) && url.startsWith("https://");
  const curlPin = isPinned ? ` -k --pinnedpubkey sha256//${options.pins!.spkiSha256}` : "";
  const agentPin = isPinned ? ` --pin-sha256 ${options.pins!.certSha256}` : "";
  return [
    `curl -fsSL${curlPin} -o meshover-agent.mjs ${url}/downloads/meshover-agent.mjs`,
    `sudo node meshover-agent.mjs join --controller ${url} --token ${options.token}${allowHttp}${agentPin}`,
    `sudo node meshover-agent.mjs run`,
  ].join("\n");
}
