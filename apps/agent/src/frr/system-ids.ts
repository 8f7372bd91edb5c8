// A system user's and group's numeric IDs from /etc/passwd and /etc/group (Node has no
// getpwnam). FRR's package creates `frr` there; a user that exists only through NSS (LDAP)
// is not found, and callers fall back to the `chown` command.
import { readFileSync } from "node:fs";

/** Numeric owner of a file. */
export interface TSystemIds {
  uid: number;
  gid: number;
}

/** The ID in the third field of `name`'s line in a passwd/group-style file, null when none. */
function findId(file: string, name: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const line = text.split("\n").find((entry) => entry.startsWith(`${name}:`));
  const id = Number(line?.split(":")[2]);
  return line && Number.isInteger(id) ? id : null;
}

/** `user`'s UID and `group`'s GID, null when either is not in the files under `root`. */
export function lookUpSystemIds(user: string, group: string, root = "/etc"): TSystemIds | null {
  const uid = findId(`${root}/passwd`, user);
  const gid = findId(`${root}/group`, group);
  return uid === null || gid === null ? null : { uid, gid };
}
