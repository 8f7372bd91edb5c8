#!/bin/sh
# meshover installer: joins this server to a meshover mesh, as root.
#
#   curl -fsSL https://controller.example/install.sh | sudo sh
#
# It checks the OS (Debian 12, Ubuntu 22.04, Ubuntu 24.04), root, an endpoint peers can reach
# and the controller; installs wireguard-tools, iproute2, iputils-ping and FRR from the distro
# (bgpd and bfdd enabled in frr.service); installs the meshover-agent package (on the distro's
# nodejs when it is 18.19 or newer, else the self-contained binary); joins; starts
# meshover-agent.service and waits for its first report. Running it again changes nothing that
# is already right. `--uninstall` undoes all of it (the agent's `leave` first).
#
# The join token is read from the terminal (never on a command line: that would put it in the
# process list and the shell history), or from --token-file FILE (`-`: standard input, when
# this script runs from a file). Run with --help for every option.
set -eu

# The controller that served this script fills this in; --controller overrides it.
CONTROLLER_URL="__MESHOVER_CONTROLLER_URL__"

STATE_DIR=/var/lib/meshover
DEFAULTS_FILE=/etc/default/meshover-agent
FRR_DAEMONS=/etc/frr/daemons
# Without systemd (containers, some lab set-ups) the agent runs under a small supervisor.
FILES_DIR=/usr/local/lib/meshover
SUPERVISOR="$FILES_DIR/supervise-agent.sh"
# The sha256 of the agent package the installer last installed (a re-run skips the same file).
PACKAGE_RECORD="$FILES_DIR/agent-package.sha256"
PID_FILE=/run/meshover/agent.pid
LOG_FILE=/var/log/meshover/agent.log
MANAGED_PATHSPACE=meshover
MIN_NODE_MAJOR=18
MIN_NODE_MINOR=19

token_file=""
node_name=""
endpoints=""
pin=""
frr_mode=auto
agent_kind=auto
wait_sec=300
do_uninstall=0
allow_http=0

step_no=0
step() {
	step_no=$((step_no + 1))
	printf '\n[%d] %s\n' "$step_no" "$*"
}
ok() { printf '    ok: %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
# fail WHAT TODO: print what went wrong and what to do, then stop.
fail() {
	printf '\nmeshover install FAILED: %s\n  what to do: %s\n' "$1" "$2" >&2
	exit 1
}

usage() {
	cat <<EOF
meshover installer
usage: install.sh [options]
  --controller URL     the controller (default: ${CONTROLLER_URL})
  --token-file FILE    read the join token from FILE ('-': standard input); default: ask
  --name NAME          node name (default: the host name)
  --endpoint ADDR      an address peers reach this server at (repeatable; default: its global IPv6)
  --pin-sha256 DIGEST  SHA-256 (hex or base64) of the controller's TLS certificate
  --frr MODE           auto (default: system with systemd, else managed), system or managed
  --agent KIND         auto (default), node (distro nodejs >= 18.19) or binary (self-contained)
  --wait SEC           how long to wait for the first report (default 300)
  --allow-http         accept an http:// controller (the default for http:// URLs, with a warning)
  --uninstall          leave the mesh and remove everything the installer and agent created
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	--controller) CONTROLLER_URL=${2:?--controller needs a URL}; shift 2 ;;
	--token-file) token_file=${2:?--token-file needs a file or -}; shift 2 ;;
	--name) node_name=${2:?--name needs a name}; shift 2 ;;
	--endpoint) endpoints="$endpoints ${2:?--endpoint needs an address}"; shift 2 ;;
	--pin-sha256) pin=${2:?--pin-sha256 needs a digest}; shift 2 ;;
	--frr) frr_mode=${2:?--frr needs auto, system or managed}; shift 2 ;;
	--agent) agent_kind=${2:?--agent needs auto, node or binary}; shift 2 ;;
	--wait) wait_sec=${2:?--wait needs seconds}; shift 2 ;;
	--allow-http) allow_http=1; shift ;;
	--uninstall) do_uninstall=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; fail "unknown option $1" "see the options above" ;;
	esac
done
case "$frr_mode" in auto | system | managed) ;; *) fail "--frr $frr_mode" "use auto, system or managed" ;; esac
case "$agent_kind" in auto | node | binary) ;; *) fail "--agent $agent_kind" "use auto, node or binary" ;; esac

has() { command -v "$1" >/dev/null 2>&1; }
has_systemd() { [ -d /run/systemd/system ] && has systemctl; }

# ---------------------------------------------------------------------------------------------
check_root() {
	step "Checking for root"
	[ "$(id -u)" = 0 ] || fail "this installer must run as root (it installs packages and creates network interfaces)" \
		"run it with sudo: curl -fsSL <controller>/install.sh | sudo sh"
	ok "running as root"
}

os_id="" os_version="" os_name=""
check_os() {
	step "Checking the operating system"
	[ "$(uname -s)" = Linux ] || fail "this is not Linux" "meshover servers run Debian 12, Ubuntu 22.04 or Ubuntu 24.04"
	[ -r /etc/os-release ] || fail "/etc/os-release is missing: cannot tell the distribution" \
		"install on Debian 12, Ubuntu 22.04 or Ubuntu 24.04, or install by hand (docs/agent.md)"
	# shellcheck disable=SC1091
	os_id=$(. /etc/os-release && echo "${ID:-}")
	os_version=$(. /etc/os-release && echo "${VERSION_ID:-}")
	os_name=$(. /etc/os-release && echo "${PRETTY_NAME:-$ID $VERSION_ID}")
	case "$os_id:$os_version" in
	debian:12 | ubuntu:22.04 | ubuntu:24.04) ok "$os_name" ;;
	*) fail "unsupported operating system: $os_name" \
		"use Debian 12, Ubuntu 22.04 or Ubuntu 24.04, or install the agent by hand (docs/agent.md, 'Install by hand')" ;;
	esac
	has dpkg && has apt-get || fail "dpkg/apt-get are missing" "this installer needs a Debian or Ubuntu system with apt"
	arch=$(dpkg --print-architecture)
	case "$arch" in amd64 | arm64) ok "architecture $arch" ;;
	*) fail "unsupported architecture $arch" "meshover packages exist for amd64 and arm64" ;;
	esac
}

# Global IPv6 addresses (not lo, not the mesh's own meshover0): from ip, else the kernel's table.
global_ipv6() {
	if has ip; then
		ip -6 -o addr show scope global 2>/dev/null |
			awk '$2 != "lo" && $2 != "meshover0" {sub(/\/.*/, "", $4); print $4}'
		return 0
	fi
	[ -r /proc/net/if_inet6 ] || return 0
	while read -r hex _ _ scope _ dev; do
		[ "$scope" = 00 ] && [ "$dev" != lo ] && [ "$dev" != meshover0 ] || continue
		echo "$hex" | sed 's/\(....\)/\1:/g; s/:$//'
	done </proc/net/if_inet6
}

# Global IPv4 addresses (not lo, not meshover0); private ones count: behind NAT, the agent dials.
global_ipv4() {
	has ip || return 0
	ip -4 -o addr show scope global 2>/dev/null |
		awk '$2 != "lo" && $2 != "meshover0" {sub(/\/.*/, "", $4); print $4}'
}

check_endpoint() {
	step "Checking the underlay"
	if [ -n "$endpoints" ]; then
		ok "endpoint(s) given:$endpoints"
		return
	fi
	addresses=$(global_ipv6; global_ipv4)
	[ -n "$addresses" ] || fail "this server has no global IPv6 address and no global IPv4 address, and no --endpoint was given: it could not reach any peer" \
		"give it an IPv6 or IPv4 address with a route out, or pass --endpoint ADDRESS (an address of this server that peers reach)"
	ok "underlay addresses: $(echo "$addresses" | tr '\n' ' ')"
	# IPv4-only or behind NAT works: the controller builds the tunnels that can work and routes
	# the rest through other nodes (docs/underlay.md).
	[ -n "$(global_ipv6)" ] || note "no global IPv6 address: peers reach this server over IPv4 or through other nodes (see docs/underlay.md)"
}

controller_host_port() {
	rest=${CONTROLLER_URL#*://}
	rest=${rest%%/*}
	case "$rest" in
	\[*\]:*) host=${rest%]:*}; host=${host#[}; port=${rest##*]:} ;;
	\[*\]) host=${rest#[}; host=${host%]}; port=443 ;;
	*:*) host=${rest%:*}; port=${rest##*:} ;;
	*) host=$rest; port=443 ;;
	esac
}

curl_opts=""
check_controller() {
	step "Checking the controller"
	case "$CONTROLLER_URL" in
	__MESHOVER*) fail "no controller URL" "pass --controller https://your-controller (the URL the Add server page shows)" ;;
	https://*) ;;
	http://*)
		allow_http=1
		note "warning: $CONTROLLER_URL is plain http: tokens and credentials travel unencrypted; use https in production"
		;;
	*) fail "controller URL $CONTROLLER_URL is not http(s)" "pass --controller https://your-controller" ;;
	esac
	CONTROLLER_URL=${CONTROLLER_URL%/}
	if [ -n "$pin" ]; then
		case "$CONTROLLER_URL" in https://*) ;; *) fail "--pin-sha256 needs an https:// controller" "use the https URL" ;; esac
		has openssl || apt_install openssl
		controller_host_port
		want=$(printf '%s' "$pin" | tr -d ':' | tr 'A-F' 'a-f')
		if ! printf '%s' "$want" | grep -Eq '^[0-9a-f]{64}$'; then
			want=$(printf '%s' "$pin" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
		fi
		got=$(echo | openssl s_client -connect "$host:$port" -servername "$host" 2>/dev/null |
			openssl x509 -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
		[ "$got" = "$want" ] || fail "the controller's certificate (sha256 $got) does not match --pin-sha256" \
			"compare the digest with the one on the Add server page; someone may be intercepting the connection"
		ok "certificate matches the pinned SHA-256"
		# The pin replaces CA validation for this self-signed certificate; downloads are also
		# checked against SHA256SUMS.
		curl_opts="-k"
	fi
	# shellcheck disable=SC2086
	curl -fsS $curl_opts --max-time 20 -o /dev/null "$CONTROLLER_URL/api/health" ||
		fail "the controller at $CONTROLLER_URL does not answer" \
			"check the URL (it must be reachable from this server, not only from your browser), DNS and firewalls; set MESHOVER_PUBLIC_URL on the controller"
	ok "$CONTROLLER_URL answers"
}

apt_updated=0
apt_install() {
	note "apt-get install $*"
	export DEBIAN_FRONTEND=noninteractive
	# Try without `apt-get update` first (fast, works offline when the lists are current).
	if ! apt-get install -y -q --no-install-recommends "$@" >/tmp/meshover-apt.log 2>&1; then
		if [ "$apt_updated" = 0 ]; then
			apt_updated=1
			note "apt-get update"
			apt-get update -q >>/tmp/meshover-apt.log 2>&1 || true
		fi
		apt-get install -y -q --no-install-recommends "$@" >>/tmp/meshover-apt.log 2>&1 ||
			fail "apt-get install $* failed: $(tail -n 3 /tmp/meshover-apt.log | tr '\n' ' ')" \
				"fix apt (see /tmp/meshover-apt.log; is the package mirror reachable?) and run the installer again"
	fi
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

kernel_wireguard() {
	modprobe wireguard 2>/dev/null || true
	[ -d /sys/module/wireguard ]
}

install_system_packages() {
	step "Installing WireGuard tools, iproute2, ping and FRR from $os_name"
	wanted=""
	for pkg in wireguard-tools iproute2 iputils-ping frr frr-pythontools; do
		is_installed "$pkg" || wanted="$wanted $pkg"
	done
	if ! kernel_wireguard; then
		note "no WireGuard in this kernel: using wireguard-go (slower; a newer kernel has it built in)"
		is_installed wireguard-go || wanted="$wanted wireguard-go"
	fi
	if [ -n "$wanted" ]; then
		# shellcheck disable=SC2086
		apt_install $wanted
		ok "installed$wanted"
	else
		ok "all present"
	fi
}

setup_frr() {
	if [ "$frr_mode" = auto ]; then
		if has_systemd; then frr_mode=system; else frr_mode=managed; fi
	fi
	step "Setting up FRR ($frr_mode mode)"
	if [ "$frr_mode" = managed ]; then
		ok "the agent runs its own zebra/bgpd/bfdd (vtysh -N $MANAGED_PATHSPACE)"
		return
	fi
	has_systemd || fail "--frr system needs systemd's frr.service" "run with --frr managed"
	[ -f "$FRR_DAEMONS" ] || fail "$FRR_DAEMONS is missing" "reinstall FRR: apt-get install --reinstall frr"
	changed=0
	for daemon in bgpd bfdd; do
		if ! grep -q "^$daemon=yes" "$FRR_DAEMONS"; then
			sed -i "s/^$daemon=.*/$daemon=yes/" "$FRR_DAEMONS"
			grep -q "^$daemon=yes" "$FRR_DAEMONS" || echo "$daemon=yes" >>"$FRR_DAEMONS"
			changed=1
		fi
	done
	systemctl is-enabled --quiet frr.service || systemctl enable frr.service >/dev/null 2>&1 || true
	if [ "$changed" = 1 ] && systemctl is-active --quiet frr.service; then
		note "enabled bgpd and bfdd in $FRR_DAEMONS: restarting frr.service"
		systemctl restart frr.service
	else
		systemctl start frr.service
	fi
	systemctl is-active --quiet frr.service || fail "frr.service does not start" \
		"read journalctl -u frr, fix it, and run the installer again"
	ok "frr.service runs with bgpd and bfdd"
}

node_version_ok() {
	# $1: a version like 18.20.4 (optionally with an epoch/suffix)
	v=${1#*:}
	major=${v%%.*}
	rest=${v#*.}
	minor=${rest%%.*}
	case "$major$minor" in *[!0-9]*) return 1 ;; esac
	[ "$major" -gt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -ge "$MIN_NODE_MINOR" ]; }
}

choose_agent_kind() {
	[ "$agent_kind" = auto ] || return 0
	if has node && node_version_ok "$(node -p process.versions.node 2>/dev/null || echo 0)"; then
		agent_kind=node
		return
	fi
	candidate=$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && node_version_ok "$candidate"; then
		agent_kind=node
	else
		agent_kind=binary
	fi
}

download() {
	# shellcheck disable=SC2086
	curl -fsS $curl_opts --retry 2 --max-time 300 -o "$work/$1" "$CONTROLLER_URL/downloads/$1" ||
		fail "downloading $CONTROLLER_URL/downloads/$1 failed" \
			"the controller must have built its downloads (npm start / npm run build does); check the controller's log"
	expected=$(grep "  $1\$" "$work/SHA256SUMS" | cut -d' ' -f1)
	actual=$(sha256sum "$work/$1" | cut -d' ' -f1)
	[ -n "$expected" ] && [ "$expected" = "$actual" ] ||
		fail "$1 does not match the controller's SHA256SUMS" "download again; if it persists, rebuild the controller's downloads"
}

agent_cmd=""
install_agent() {
	choose_agent_kind
	work=$(mktemp -d /tmp/meshover-install.XXXXXX)
	chmod 0755 "$work"
	trap 'rm -rf "$work"' EXIT
	# shellcheck disable=SC2086
	curl -fsS $curl_opts --max-time 30 -o "$work/SHA256SUMS" "$CONTROLLER_URL/downloads/SHA256SUMS" ||
		fail "the controller has no downloads ($CONTROLLER_URL/downloads/SHA256SUMS)" \
			"run the controller with npm start (it builds them) or npm run build"
	if ! has_systemd; then
		step "Installing the agent (no systemd: files in $FILES_DIR, run by a supervisor)"
		[ "$agent_kind" = node ] && has node ||
			fail "without systemd the installer needs Node.js >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR already installed" \
				"install nodejs (apt-get install nodejs) or use a server with systemd"
		download meshover-agent.mjs
		mkdir -p "$FILES_DIR"
		install -m 0755 "$work/meshover-agent.mjs" "$FILES_DIR/meshover-agent.mjs"
		agent_cmd="node $FILES_DIR/meshover-agent.mjs"
		ok "$FILES_DIR/meshover-agent.mjs"
		return
	fi
	if [ "$agent_kind" = node ]; then
		file=meshover-agent-node.deb
		what="for the distro's nodejs"
	else
		file="meshover-agent-$arch.deb"
		what="self-contained binary"
		grep -q "  $file\$" "$work/SHA256SUMS" ||
			fail "no self-contained agent for $arch on this controller, and $os_name has no Node.js >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR" \
				"install nodejs $MIN_NODE_MAJOR.$MIN_NODE_MINOR or newer (e.g. from NodeSource) and run the installer again"
	fi
	step "Installing the meshover-agent package ($what)"
	download "$file"
	agent_cmd=/usr/bin/meshover-agent
	# A re-run with the same package changes nothing: reinstalling it would restart a running
	# agent for no reason. The record names the exact file installed (the version alone does not
	# change between builds of the same release).
	sum=$(sha256sum "$work/$file" | cut -d' ' -f1)
	if is_installed meshover-agent && [ "$(cat "$PACKAGE_RECORD" 2>/dev/null)" = "$sum" ]; then
		ok "meshover-agent $(dpkg-query -W -f='${Version} (${Architecture})' meshover-agent) is current (the controller's $file)"
		return
	fi
	apt_install "$work/$file"
	mkdir -p "$(dirname "$PACKAGE_RECORD")"
	printf '%s\n' "$sum" >"$PACKAGE_RECORD"
	ok "meshover-agent $(dpkg-query -W -f='${Version} (${Architecture})' meshover-agent)"
}

read_token() {
	if [ -n "$token_file" ]; then
		if [ "$token_file" = - ]; then read -r token || true; else token=$(head -n 1 "$token_file"); fi
	elif [ -r /dev/tty ] && [ -w /dev/tty ] && { : </dev/tty; } 2>/dev/null; then
		printf '    Paste the join token (from the Add server page; not shown): ' >/dev/tty
		stty -echo </dev/tty 2>/dev/null || true
		read -r token </dev/tty || true
		stty echo </dev/tty 2>/dev/null || true
		printf '\n' >/dev/tty
	else
		fail "no join token: there is no terminal to ask on" \
			"pass --token-file FILE (or --token-file - with the token on standard input)"
	fi
	token=$(printf '%s' "${token:-}" | tr -d ' \r\n')
	[ -n "$token" ] || fail "the join token is empty" "create a token on the Add server page and paste it"
}

join_mesh() {
	step "Joining the mesh"
	if [ -f "$STATE_DIR/identity.json" ]; then
		ok "already joined (state in $STATE_DIR); to join anew run: install.sh --uninstall"
		return
	fi
	read_token
	if [ -z "$node_name" ]; then
		# The token may name the node; otherwise the host name, made DNS-label-like (as the
		# SSH install does).
		node_name=$(hostname 2>/dev/null || uname -n)
		node_name=$(printf '%s' "${node_name%%.*}" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9-]\{1,\}/-/g; s/^-*//; s/-*$//' | cut -c1-63)
		[ -n "$node_name" ] || node_name=node
	fi
	set -- join --controller "$CONTROLLER_URL" --token-file - --state-dir "$STATE_DIR" --frr "$frr_mode"
	[ -n "$node_name" ] && set -- "$@" --name "$node_name"
	for address in $endpoints; do set -- "$@" --endpoint "$address"; done
	[ "$allow_http" = 1 ] && set -- "$@" --allow-http
	[ -n "$pin" ] && set -- "$@" --pin-sha256 "$pin"
	# The token goes over a pipe, never on a command line.
	# shellcheck disable=SC2086
	if ! output=$(printf '%s\n' "$token" | $agent_cmd "$@" 2>&1); then
		# The agent's JSON log lines are for the journal; its last plain line says why.
		fail "joining failed: $(echo "$output" | grep -v '^{' | tail -n 2 | tr '\n' ' ')" \
			"if the token was used or expired, create a new one on the Add server page (a name taken by another node: pass --name); then run the installer again"
	fi
	token=""
	ok "joined as $node_name"
}

run_options() {
	if [ "$frr_mode" = managed ]; then
		echo "--frr managed --frr-pathspace $MANAGED_PATHSPACE"
	else
		echo "--frr system"
	fi
}

start_agent() {
	if has_systemd; then
		step "Starting meshover-agent.service"
		options=$(run_options)
		desired="MESHOVER_AGENT_OPTS=\"$options\""
		if [ "$(grep '^MESHOVER_AGENT_OPTS=' "$DEFAULTS_FILE" 2>/dev/null)" != "$desired" ]; then
			printf '# Written by the meshover installer: how meshover-agent.service runs the agent.\n%s\n' \
				"$desired" >"$DEFAULTS_FILE"
			systemctl daemon-reload
			systemctl enable meshover-agent.service >/dev/null 2>&1
			systemctl restart meshover-agent.service
		else
			systemctl enable --now meshover-agent.service >/dev/null 2>&1
		fi
		systemctl is-enabled --quiet meshover-agent.service && systemctl is-active --quiet meshover-agent.service ||
			fail "meshover-agent.service does not run" "read journalctl -u meshover-agent"
		ok "enabled and running ($options)"
		return
	fi
	step "Starting the agent under a supervisor (no systemd)"
	mkdir -p "$(dirname "$PID_FILE")" "$(dirname "$LOG_FILE")"
	cat >"$SUPERVISOR" <<EOF
#!/bin/sh
# meshover agent supervisor (this server has no systemd).
# Stop: kill \$(cat $PID_FILE)   Log: $LOG_FILE
echo \$\$ > $PID_FILE
child=
stop() {
  if [ -n "\$child" ]; then kill -TERM "\$child" 2>/dev/null; wait "\$child"; fi
  rm -f $PID_FILE
  exit 0
}
trap stop TERM INT
while :; do
  $agent_cmd run --state-dir $STATE_DIR $(run_options) &
  child=\$!
  wait "\$child"
  echo "meshover supervisor: agent exited with \$?, restarting in 2 s"
  child=
  sleep 2
done
EOF
	chmod 0755 "$SUPERVISOR"
	stop_supervisor
	nohup setsid sh "$SUPERVISOR" >>"$LOG_FILE" 2>&1 </dev/null &
	i=0
	while [ $i -lt 50 ] && ! supervisor_alive; do sleep 0.1; i=$((i + 1)); done
	supervisor_alive || fail "the agent supervisor did not start" "read $LOG_FILE"
	ok "supervisor pid $(cat "$PID_FILE"); stop with: kill \$(cat $PID_FILE); log $LOG_FILE"
}

supervisor_alive() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }
stop_supervisor() {
	supervisor_alive || return 0
	kill -TERM "$(cat "$PID_FILE")"
	i=0
	while supervisor_alive && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}

wait_for_report() {
	step "Waiting for the agent's first report (up to $wait_sec s)"
	started=$(date +%s)
	while :; do
		if [ -f "$STATE_DIR/status.json" ] && grep -q '"configVersion": *[0-9]' "$STATE_DIR/status.json"; then
			break
		fi
		[ $(($(date +%s) - started)) -lt "$wait_sec" ] ||
			fail "no report from the agent after $wait_sec s" \
				"check that this server reaches $CONTROLLER_URL; read journalctl -u meshover-agent (or $LOG_FILE)"
		sleep 2
	done
	ok "the agent reported in"
	name=$(sed -n 's/.*"name": *"\([^"]*\)".*/\1/p' "$STATE_DIR/identity.json" | head -n 1)
	device=meshover0
	ip link show dev meshover0 >/dev/null 2>&1 || device=lo
	addresses=$(ip -o addr show dev "$device" scope global 2>/dev/null | awk '{print $4}' | tr '\n' ' ')
	printf '\nThis server is node %s of the mesh. Overlay addresses (%s): %s\n' "${name:-?}" "$device" "${addresses:-none yet}"
	printf 'Status: %s status   Logs: %s\n' "$agent_cmd" "$(has_systemd && echo 'journalctl -u meshover-agent' || echo "$LOG_FILE")"
}

# ---------------------------------------------------------------------------------------------
uninstall() {
	step "Stopping the agent"
	if has_systemd && systemctl list-unit-files meshover-agent.service >/dev/null 2>&1; then
		systemctl disable --now meshover-agent.service >/dev/null 2>&1 || true
	fi
	stop_supervisor
	ok "stopped"
	step "Leaving the mesh (removes the tunnels, addresses and FRR configuration the agent made)"
	mode=system
	if grep -q -- '--frr managed' "$DEFAULTS_FILE" 2>/dev/null || grep -q -- '--frr managed' "$SUPERVISOR" 2>/dev/null; then
		mode=managed
	fi
	cmd=""
	if [ -x /usr/bin/meshover-agent ]; then cmd=/usr/bin/meshover-agent; elif [ -f "$FILES_DIR/meshover-agent.mjs" ]; then cmd="node $FILES_DIR/meshover-agent.mjs"; fi
	if [ -n "$cmd" ] && [ -f "$STATE_DIR/identity.json" ]; then
		# shellcheck disable=SC2086
		$cmd leave --frr "$mode" --state-dir "$STATE_DIR" || fail "meshover-agent leave failed" \
			"read its message above, fix it and run install.sh --uninstall again"
		ok "left the mesh"
	else
		ok "not joined"
	fi
	step "Removing the package and files"
	if is_installed meshover-agent; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q meshover-agent >/tmp/meshover-apt.log 2>&1 ||
			fail "apt-get purge meshover-agent failed" "see /tmp/meshover-apt.log"
	fi
	rm -rf "$STATE_DIR" "$DEFAULTS_FILE" "$FILES_DIR" "$(dirname "$PID_FILE")"
	has_systemd && systemctl daemon-reload || true
	ok "removed meshover-agent, $STATE_DIR and $DEFAULTS_FILE (FRR and WireGuard tools stay installed)"
	printf '\nmeshover is uninstalled.\n'
}

main() {
	check_root
	check_os
	if [ "$do_uninstall" = 1 ]; then
		uninstall
		return
	fi
	check_endpoint
	check_controller
	install_system_packages
	setup_frr
	install_agent
	join_mesh
	start_agent
	wait_for_report
}

main
