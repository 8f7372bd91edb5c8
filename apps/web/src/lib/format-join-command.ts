// The command an admin pastes on a new server. Kept in one place so the Add server page, the
// tokens page and the docs agree.

/** Pins of a self-signed controller certificate (see read-certificate-pins in the API). */
export type TCertificatePins = { certSha256: string; spkiSha256: string };

/**
 * The one-line install: fetch install.sh from the controller and run it as root. The token is
 * not in it: the installer asks for it on the terminal, so it stays out of the shell history and
 * the process list. With `pins` (a self-signed https controller) curl trusts exactly that public
 * key and the installer that certificate, like `kubeadm join --discovery-token-ca-cert-hash`.
 */
export function formatInstallCommand(options: {
  controllerUrl: string;
  pins?: TCertificatePins | null;
}): string {
  const url = options.controllerUrl.trim().replace(/\/+$/, "");
  const isPinned = Boolean(options.pins) && url.startsWith("https://");
  const curlPin = isPinned ? ` -k --pinnedpubkey sha256//${options.pins!.spkiSha256}` : "";
  const installerPin = isPinned ? ` --pin-sha256 ${options.pins!.certSha256}` : "";
  return `curl -fsSL${curlPin} ${url}/install.sh | sudo sh -s -- --controller ${url}${installerPin}`;
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
