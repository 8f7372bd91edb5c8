// The command an admin pastes on a new server. Kept in one place so the Add server page, the
// tokens page and the docs agree.

/**
 * The one-line install: fetch install.sh from the controller and run it as root. The token is
 * not in it: the installer asks for it on the terminal, so it stays out of the shell history and
 * the process list.
 */
export function formatInstallCommand(options: { controllerUrl: string }): string {
  const url = options.controllerUrl.trim().replace(/\/+$/, "");
  return `curl -fsSL ${url}/install.sh | sudo sh -s -- --controller ${url}`;
}

/** Whether `url` names this machine's loopback: a server elsewhere cannot reach it. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || host.startsWith("127.");
  } catch {
    return false;
  }
}
