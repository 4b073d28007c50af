#!/usr/bin/env bats
# runb's command line, without root (make check): --help and --version, every
# invalid option or value (125 and one line on stderr naming the option), an
# option without its value, unknown options, what follows NAME, the verbs and
# a word that is none, and --help against README's option table. runb runs as
# nobody with no capability at all, so what these tests show needs no root:
# as root (make test, make check in CI) setpriv drops to uid and gid 65534,
# no supplementary group, every capability set empty, no_new_privs, and runb
# runs in a network namespace of its own (unshare, gone with it), never the
# machine's; as another user (make check by hand), runb runs as that user.
# No test here makes anything: runb stops at its parser or its root check.

load helpers

setup_file() {
	# runb where nobody may execute it: the tree may lie below a directory
	# only its owner enters (a checkout in /root)
	export RUNB_CLI=$RUNB RUNB_CLI_DIR=
	if ! nobody test -x "$RUNB"; then
		RUNB_CLI_DIR=$(mktemp -d /tmp/runb-cli.XXXXXX)
		chmod 755 "$RUNB_CLI_DIR"
		install -m 0755 "$RUNB" "$RUNB_CLI_DIR/runb"
		RUNB_CLI=$RUNB_CLI_DIR/runb
	fi
	# runb-oci: a link to runb by that name, and the bundles, where nobody reads them
	RUNB_OCI_DIR=$(mktemp -d /tmp/runb-oci.XXXXXX)
	export RUNB_OCI_DIR
	chmod 755 "$RUNB_OCI_DIR"
	ln -s "$RUNB_CLI" "$RUNB_OCI_DIR/runb-oci"
}

teardown_file() {
	[ -z "$RUNB_CLI_DIR" ] || rm -rf "$RUNB_CLI_DIR"
	[ -z "${RUNB_OCI_DIR:-}" ] || rm -rf "$RUNB_OCI_DIR"
}

# nobody CMD...: CMD without root (see the top of this file).
nobody() {
	if [ "$(id -u)" = 0 ]; then
		unshare --net -- setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
	else
		"$@"
	fi
}

# rbn ARG...: runb as nobody; its status in $status, its stdout in $output,
# its stderr in $stderr (bats' run --separate-stderr).
rbn() {
	run --separate-stderr nobody "$RUNB_CLI" "$@"
}

# A ROOTFS runb never reaches here: its parser or its root check comes first.
NOROOT=/nonexistent-rootfs

# one_line_naming OPTION [SPELLING]: runb failed with 125, nothing on stdout,
# one line on stderr, "runb: ...", naming OPTION (its long name) or SPELLING
# (the one given, e.g. -m).
one_line_naming() {
	# shellcheck disable=SC2154 # (bats' run --separate-stderr sets it)
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" = 125 ] || fail "status $status, not 125"
	[ -z "$output" ] || fail "stdout: '$output'"
	[ "$(wc -l <<<"$stderr")" = 1 ] || fail "not one line on stderr"
	[[ $stderr == "runb: "* ]] || fail "the line does not start with 'runb: '"
	[[ $stderr == *"$1"* ]] || [[ -n "${2:-}" && $stderr =~ (^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|$) ]] ||
		fail "the line names neither $1${2:+ nor $2}"
}

# The control for the value tests: a command line runb parses reaches its root
# check, the first thing after the parser.
reaches_root_check() {
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" = 125 ]
	[ -z "$output" ]
	[[ $stderr == "runb: must be run as root"* ]] || fail "not stopped by the root check: '$stderr'"
}

@test "the runner: runb runs as nobody, with no capability (the control)" {
	run nobody sh -c 'id -u; grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status'
	assert_success
	echo "$output"
	[ "${lines[0]}" != 0 ]
	assert_line --regexp '^CapPrm:[[:space:]]+0+$'
	assert_line --regexp '^CapEff:[[:space:]]+0+$'
	assert_line --regexp '^CapAmb:[[:space:]]+0+$'
	if [ "$(id -u)" = 0 ]; then
		assert_line --index 0 65534
		assert_line --regexp '^CapInh:[[:space:]]+0+$'
		assert_line --regexp '^CapBnd:[[:space:]]+0+$'
		assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
		# and in a network namespace other than the machine's
		[ "$(nobody readlink /proc/self/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	fi
}

@test "--help and -h: the usage on stdout, nothing on stderr, 0" {
	local help
	rbn --help
	[ "$status" = 0 ]
	[ -z "$stderr" ]
	assert_line --index 0 'usage: runb [OPTIONS] NAME ROOTFS [COMMAND [ARG...]]'
	assert_output --partial 'Exit status: 125 runb failed'
	help=$output
	rbn -h
	[ "$status" = 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$help" ]
	# --help wins over what follows it, even what is wrong
	rbn --help --bogus
	[ "$status" = 0 ]
	[ "$output" = "$help" ]
}

@test "--version and -V: one line, runb and runb.c's version, 0" {
	local v
	v=$(sed -n 's/^#define RUNB_VERSION "\(.*\)"$/\1/p' "$TOP/runb.c")
	rbn --version
	[ "$status" = 0 ]
	[ -z "$stderr" ]
	assert_output --regexp '^runb [0-9]+\.[0-9]+\.[0-9]+$'
	[ -z "$v" ] || assert_output "runb $v"
	rbn -V
	[ "$status" = 0 ]
	assert_output --regexp '^runb [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "--help lists each option issue 12 added: --add-host, --init, --ulimit, --cap-add, --cap-drop, --security-opt, -t, -T" {
	rbn --help
	[ "$status" = 0 ]
	assert_line --regexp '^  --add-host NAME:IP +[a-z]'
	assert_line --regexp '^  --init +[a-z]'
	assert_line --regexp '^  --ulimit NAME=SOFT\[:HARD\] +[a-z]'
	assert_line --regexp '^  --cap-add CAP +[a-z]'
	assert_line --regexp '^  --cap-drop CAP +[a-z]'
	assert_line --regexp '^  --security-opt no-new-privileges=false +[a-z]'
	assert_line --regexp '^  -t, --tty +[a-z]'
	assert_line --regexp '^  -T, --no-tty +[a-z]'
	# control: docker's --privileged is neither listed nor taken
	refute_output --partial privileged
	rbn --privileged --net none c "$NOROOT" true
	[ "$status" = 125 ]
	[ "$stderr" = "runb: unknown option '--privileged' (see runb --help)" ]
}

# Invalid values: LONG-NAME, then the arguments (an empty value as --OPTION=).
INVALID=(
	"--hostname --hostname="
	"--publish -p 80"
	"--publish -p 0:80"
	"--publish -p 80:80/sctp"
	"--publish -p 1.2.3:80:80"
	"--hostname --hostname $(printf 'a%.0s' $(seq 65))"
	"--user --user a:b:c"
	"--user --user 1:"
	"--user --user -1"
	"--user --user 4294967295"
	"--env -e =x"
	"--env --env ="
	"--net --net wifi"
	"--net --net="
	"--ip --ip bad"
	"--ip --ip 10.0.0.1"
	"--ip --ip 10.0.0.255"
	"--ip --subnet 10.9.0.0/24 --ip 10.0.0.5"
	"--subnet --subnet 10.9.0.0/25"
	"--subnet --subnet 8.8.0.0/16"
	"--subnet --subnet 10.9.0.1/24"
	"--subnet --subnet 10.9.0.0"
	"--dns --dns bad"
	"--dns --dns 1.1.1.1 --dns x"
	"--add-host --add-host bad"
	"--add-host --add-host a:999.1.1.1"
	"--add-host --add-host :1.2.3.4"
	"--memory -m bad"
	"--memory --memory 1x"
	"--memory -m 0"
	"--cpus --cpus bad"
	"--cpus --cpus 0"
	"--cpus --cpus 1025"
	"--pids --pids -1"
	"--pids --pids lots"
	"--pids --pids 4194305"
	"--stop-timeout --stop-timeout x"
	"--stop-timeout --stop-timeout 86401"
	"--seccomp --seccomp x"
	"--seccomp --seccomp="
	"--ulimit --ulimit bad"
	"--ulimit --ulimit nofile=x"
	"--ulimit --ulimit nosuch=1"
	"--ulimit --ulimit nofile=10:5"
	"--cap-add --cap-add NOPE"
	"--cap-add --cap-add="
	"--cap-drop --cap-drop NOPE"
	"--security-opt --security-opt x"
	"--security-opt --security-opt="
	"--volume --volume bad"
	"--volume --volume :/b"
	"--volume --volume /a:b"
	"--volume --volume /a:/"
	"--volume --volume /a:/b:xx"
	"--tmpfs --tmpfs rel"
	"--tmpfs --tmpfs /"
	"--tmpfs --tmpfs /x:size=q"
	"--tmpfs --tmpfs /x:mode=9"
	"--workdir -w rel"
	"--workdir --workdir rel"
	"--overlay --overlay="
	"--read-only --chroot --read-only"
)

@test "every invalid value: 125, nothing on stdout, one line on stderr naming the option" {
	local c a args short bad=0
	for c in "${INVALID[@]}"; do
		read -ra args <<<"${c#* }"
		short=
		for a in "${args[@]}"; do
			[[ $a != -[a-zA-Z] ]] || short=$a
		done
		rbn "${args[@]}" c "$NOROOT" true
		one_line_naming "${c%% *}" "$short" || bad=$((bad + 1))
	done
	[ "$bad" = 0 ] || fail "$bad of ${#INVALID[@]} invalid values not refused so (above)"
}

@test "every option with a valid value parses: runb goes on to its root check (the control for the invalid values)" {
	local c args bad=0
	for c in "--hostname h" "--hostname $(printf 'a%.0s' $(seq 64))" "--user 1:2" "--user 4294967294" \
		"-e A=1" "-e A" "--env A=" "--net none" "--net bridge" "--ip 10.0.0.2" "--ip 10.0.0.254" \
		"--subnet 10.9.0.0/24 --ip 10.9.0.5" "--subnet 172.16.0.0/12" "--subnet 192.168.0.0/16" \
		"--dns 1.1.1.1" "--dns ::1 --dns 1.1.1.1" "--dns-search x.example" "--env-file /dev/null" "--add-host a:1.2.3.4" "--add-host a:::1" "-m 64m" "--memory 1g" "--cpus 0.01" \
		"-p 8080:80" "-p 127.0.0.1:8080:80/tcp" "--publish 1:65535" "--cpus $(nproc)" "-m 1.5g" "-m 512mb" "-m 1GiB" "--memory=2000000b" "--pids 0" "--pids unlimited" "--pids 4194304" "--stop-timeout 0" \
		"--stop-timeout 86400" "--seccomp unconfined" "--seccomp=default" "--ulimit nofile=10:20" \
		"--ulimit core=unlimited" "--cap-add NET_ADMIN" "--cap-add cap_net_admin" "--cap-drop ALL" \
		"--security-opt no-new-privileges=false" "--security-opt seccomp=unconfined" \
		"--volume /a:/b:ro" "--volume /a:/b:rw" "--tmpfs /x" "--tmpfs /x:size=1m,mode=1777" "-w /x" \
		"--workdir /x" "--overlay" "--overlay=/x" "--read-only" "--chroot" "--init" "-d" "--detach" \
		"-t" "--tty" "-T" "--no-tty" "-v" "--verbose" "--step" "--timings" "--hostname=h" "-dv"; do
		read -ra args <<<"$c"
		rbn "${args[@]}" c "$NOROOT" true
		reaches_root_check || bad=$((bad + 1))
	done
	[ "$bad" = 0 ] || fail "$bad valid command lines stopped before the root check (above)"
}

@test "an option without its value: 125, one line 'option X needs a value'" {
	local opt
	for opt in --hostname --user -e --env --net --ip --subnet --dns --add-host -m --memory --cpus \
		--pids --stop-timeout --seccomp --ulimit --cap-add --cap-drop --security-opt --volume \
		--tmpfs -w --workdir; do
		rbn "$opt"
		echo "$opt: status $status; stdout '$output'; stderr '$stderr'"
		[ "$status" = 125 ]
		[ -z "$output" ]
		[ "$stderr" = "runb: option '$opt' needs a value (see runb --help)" ]
	done
}

@test "an unknown option: 125, one line 'unknown option' naming it" {
	local opt
	for opt in --bogus -x --privileged --cidfile --name -P --bogus=1; do
		rbn "$opt" c "$NOROOT" true
		echo "$opt: status $status; stdout '$output'; stderr '$stderr'"
		[ "$status" = 125 ]
		[ -z "$output" ]
		[ "$stderr" = "runb: unknown option '$opt' (see runb --help)" ]
	done
	# after a valid one too, and one short option after another (-v, then -x)
	rbn -v --net none -vx c "$NOROOT" true
	[ "$status" = 125 ]
	one_line_naming -x -vx
}

@test "an unknown short option first in a group (-xv, -dxv): the line names it, not the argument before" {
	local bad=0 args
	for args in "-xv" "-dxv" "-v -xd" "--net none -xv"; do
		# shellcheck disable=SC2086 # the arguments of the case
		rbn $args c "$NOROOT" true
		one_line_naming -x || bad=$((bad + 1))
	done
	[ "$bad" = 0 ] || fail "$bad of 4 lines do not name -x (above)"
}

@test "options end at NAME: what follows is COMMAND's, never runb's" {
	rbn --net none c "$NOROOT" sh --bogus -m bad --net wifi
	reaches_root_check
	# and a command line without a problem, as a user: only root runs containers
	rbn c "$NOROOT" true
	reaches_root_check
	[ "$stderr" = "runb: must be run as root (try: sudo runb ...)" ]
}

@test "no NAME or no ROOTFS: one line naming what is missing and pointing to --help, on stderr; 125" {
	rbn
	[ "$status" = 125 ]
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ $stderr == "runb: missing NAME and ROOTFS ("*"runb --help)" ]]
	rbn -v --net none
	[ "$status" = 125 ]
	[[ $stderr == "runb: missing NAME and ROOTFS ("* ]]
	rbn c
	[ "$status" = 125 ]
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ $stderr == "runb: missing ROOTFS: 'c' is not a verb; to start a container: runb NAME ROOTFS (runb --help)" ]]
}

@test "the verbs: each is one as runb's first argument, and says that it needs root" {
	local v
	for v in ps exec stop kill logs wait rm inspect stats; do
		rbn "$v"
		echo "$v: status $status; stdout '$output'; stderr '$stderr'"
		[ "$status" = 125 ]
		[ -z "$output" ]
		[ "$stderr" = "runb: $v: must be run as root (try: sudo runb $v ...)" ]
	done
}

@test "a word that is no verb (docker's run, start, restart; a verb in capitals, or longer) is a NAME" {
	local w
	for w in run start restart create top PS Exec psx waits; do
		rbn "$w"
		echo "$w: status $status; stderr '$stderr'"
		[ "$status" = 125 ]
		[[ $(tail -n 1 <<<"$stderr") == "runb: missing ROOTFS: '$w' is not a verb;"* ]]
	done
	# and NAME ROOTFS after it: the slides' form, up to the root check
	rbn start "$NOROOT"
	reaches_root_check
}

# --help's options: the option part of each line "  -x, --long VALUE   text"
# before the verbs, split into its -x and --long.
help_options() {
	nobody "$RUNB_CLI" --help | sed '/^The verbs/,$d' | grep '^  -' |
		awk '{ sub(/^  /, ""); split($0, f, /  +/); print f[1] }' |
		grep -oE '(^|[ ,|/])--?[A-Za-z][A-Za-z-]*' | sed -E 's/^[ ,|/]//' | sort -u
}

# README's options: the first column of the option table in "## Usage".
readme_options() {
	sed -n '/^## Usage$/,/^## /p' "$TOP/README.md" | sed -n '/^| option | meaning |$/,/^$/p' |
		grep '^| `' | cut -d'|' -f2 |
		grep -oE '(^|[ `,/])--?[A-Za-z][A-Za-z-]*' | sed -E 's/^[ `,/]//' | sort -u
}

# runb's own options, in --help and not in README's table of a run's options
HELP_ONLY=(-h --help -V --version)

@test "the parser takes every option --help or README's table names" {
	local o unknown=()
	for o in $({ help_options; readme_options; } | sort -u); do
		rbn "$o"
		[[ $stderr != *"unknown option"* ]] || unknown+=("$o")
	done
	[ "$(help_options | wc -l)" -ge 30 ]
	[ "$(readme_options | wc -l)" -ge 30 ]
	[ "${#unknown[@]}" = 0 ] || fail "runb does not take: ${unknown[*]}"
}

@test "--help lists exactly the options of README's option table (and -h, -V)" {
	local help readme only_readme only_help
	help=$(help_options | grep -vxF -f <(printf '%s\n' "${HELP_ONLY[@]}"))
	readme=$(readme_options)
	echo "--help: $(tr '\n' ' ' <<<"$help")"
	echo "README: $(tr '\n' ' ' <<<"$readme")"
	[ "$(wc -l <<<"$readme")" -ge 30 ]
	only_readme=$(comm -23 <(echo "$readme") <(echo "$help") | tr '\n' ' ')
	only_help=$(comm -13 <(echo "$readme") <(echo "$help") | tr '\n' ' ')
	[ -z "$only_readme$only_help" ] ||
		fail "README's option table (## Usage) and runb --help differ: in README, not in --help: ${only_readme:-none}; in --help, not in README: ${only_help:-none}"
	local h
	for h in "${HELP_ONLY[@]}"; do
		help_options | grep -qxF -- "$h" || fail "--help does not list $h"
	done
}

# The verbs and their options: README's table in "## Living with running
# containers", --help's usage lines.
readme_verbs() {
	sed -n '/^## Living with running containers$/,/^## /p' "$TOP/README.md" |
		grep -oE '^\| `runb [a-z]+[^`]*`' | grep -v '^| `runb -d' | sed -E 's/^\| `runb //; s/`$//; s/\\\|/|/g' |
		awk '{ v = $1; $1 = ""; n = split($0, w, /[^A-Za-z-]+/); o = "";
			for (i = 1; i <= n; i++) if (w[i] ~ /^-/) o = o " " w[i];
			print v ":" o }' | sort
}
help_verbs() {
	nobody "$RUNB_CLI" --help | sed -n '2,/^Run /p' | sed '$d' |
		sed -E 's/^usage: runb \[OPTIONS\] NAME.*$//; s/^ +runb //; s/ \| /\n/g' | grep . |
		awk '{ v = $1; $1 = ""; n = split($0, w, /[^A-Za-z-]+/); o = "";
			for (i = 1; i <= n; i++) if (w[i] ~ /^-/) o = o " " w[i];
			print v ":" o }' | sort
}

@test "README's verbs and their options are --help's" {
	local readme help
	readme=$(readme_verbs)
	help=$(help_verbs)
	echo "README:"$'\n'"$readme"$'\n'"--help:"$'\n'"$help"
	[ "$(wc -l <<<"$readme")" = 9 ]
	[ "$readme" = "$help" ] || fail "README's verbs table and runb --help's usage lines differ: $(diff <(echo "$readme") <(echo "$help") | grep '^[<>]' | tr '\n' ' ')"
	# and the verbs --help describes are those
	[ "$(nobody "$RUNB_CLI" --help | sed -n '/^The verbs/,/^$/p' | grep -oE '^  [a-z]+' | tr -d ' ' | sort)" = \
		"$(cut -d: -f1 <<<"$help" | sort)" ]
}

@test "docker habits: -it, -i, --network parse; -dit, -v HOST:CTR and --overlay DIR get a line saying what was meant" {
	local a
	for a in "-it" "-i -t" "--interactive" "--network none" "-it --network=bridge"; do
		# shellcheck disable=SC2086 # the arguments of the case
		rbn $a c "$NOROOT" true
		reaches_root_check
	done
	rbn -dit c "$NOROOT" true
	[ "$status" = 125 ]
	[ "$stderr" = "runb: -d and -t: a detached container has no terminal to relay (runb has no attach; drop -t, and later: runb exec -it NAME sh)" ]
	rbn -v /h:/c c "$NOROOT" true
	[ "$status" = 125 ]
	[ "$stderr" = "runb: invalid NAME '/h:/c': 1 to 64 of [A-Za-z0-9_.-], starting with a letter or digit (runb's -v is --verbose; a bind mount is --volume HOST:CONTAINER)" ]
	rbn --overlay /dir c "$NOROOT" true
	[ "$status" = 125 ]
	[ "$stderr" = "runb: invalid NAME '/dir': 1 to 64 of [A-Za-z0-9_.-], starting with a letter or digit (an option's value? --overlay takes DIR as --overlay=DIR)" ]
	# --cpus beyond the CPUs online
	rbn --cpus $(($(nproc) + 1)) c "$NOROOT" true
	[ "$status" = 125 ]
	[ "$stderr" = "runb: invalid --cpus '$(($(nproc) + 1))': this machine has $(nproc) CPUs online (from 0.01 to $(nproc))" ]
	# sizes docker takes: decimals, and units with b or ib
	rbn -m 1.5x c "$NOROOT" true
	[ "$status" = 125 ]
	# two mounts onto one target (however spelled)
	rbn --volume /a:/data --tmpfs //data/ c "$NOROOT" true
	[ "$status" = 125 ]
	[ "$stderr" = "runb: duplicate mount point //data/: two --volume or --tmpfs onto one path" ]
	rbn --volume /a:/data --tmpfs /data/x c "$NOROOT" true
	reaches_root_check
	# the control: a NAME that is only wrong gets no hint
	rbn 'bad*name' "$NOROOT" true
	[ "$stderr" = "runb: invalid NAME 'bad*name': 1 to 64 of [A-Za-z0-9_.-], starting with a letter or digit" ]
}

@test "the shell helpers (scripts/, .ci/run) pass shellcheck" {
	run shellcheck "$TOP"/scripts/*.sh "$TOP/.ci/run"
	echo "$output"
	[ "$status" = 0 ]
}

# ---------------------------------------------------------------- runb-oci: config.json

# A config.json runb-oci takes whole: every field it reads, as runc spec and
# docker write them. Its ROOTFS is missing, but the root check comes first.
OCI_OK='{
  "ociVersion": "1.0.2",
  "process": { "terminal": false, "user": { "uid": 1000, "gid": 100 },
    "args": [ "sh", "-c", "echo \"it ran\"" ], "env": [ "PATH=/bin", "GREETING=h\u00e9llo w\u00f6rld" ],
    "cwd": "/work",
    "capabilities": { "bounding": [ "CAP_KILL", "CAP_AUDIT_WRITE" ], "effective": [ "CAP_KILL", "CAP_AUDIT_WRITE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL" ], "inheritable": [], "ambient": [] },
    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024 } ],
    "noNewPrivileges": true, "oomScoreAdj": 0 },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "oci-host",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts" },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup" },
    { "destination": "/data", "type": "bind", "source": "/srv", "options": [ "rbind", "ro", "rprivate" ] },
    { "destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "size=1m" ] } ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" },
      { "type": "mount" }, { "type": "cgroup" } ],
    "resources": { "memory": { "limit": 67108864 }, "cpu": { "quota": 50000, "period": 100000 },
      "pids": { "limit": 99 }, "devices": [ { "allow": false, "access": "rwm" } ] },
    "maskedPaths": [ "/proc/kcore", "/sys/firmware" ], "readonlyPaths": [ "/proc/sys" ] },
  "annotations": { "org.example": "ignored" },
  "aFieldOfAFutureVersion": { "ignored": true },
  "hooks": {}
}'

# oci_bundle JSON: a bundle nobody can read, with JSON as its config.json; its path in $bundle
oci_bundle() {
	bundle=$(mktemp -d "$RUNB_OCI_DIR/bundle.XXXXXX")
	printf '%s' "$1" >"$bundle/config.json"
	chmod -R a+rX "$bundle"
}

# rbo ARG...: runb-oci as nobody, as rbn runs runb
rbo() {
	run --separate-stderr nobody "$RUNB_OCI_DIR/runb-oci" "$@"
}

# oci_refused JSON LINE: runb-oci run refuses JSON with 125 and the one line LINE
oci_refused() {
	oci_bundle "$1"
	rbo run --bundle "$bundle" oci
	echo "status $status; stdout '$output'; stderr '$stderr'"
	[ "$status" = 125 ]
	[ -z "$output" ]
	[ "$stderr" = "$2" ]
}

# oci_with OLD NEW: $OCI_OK with the text OLD replaced by NEW
oci_with() {
	echo "${OCI_OK/"$1"/"$2"}"
}

@test "runb-oci run: each config.json field becomes the runb option that asks the same (--debug shows the line)" {
	oci_bundle "$OCI_OK"
	rbo --root /run/oci --log /dev/null --log-format json --debug run --bundle "$bundle" oci
	echo "status $status; stderr '$stderr'"
	[ "$status" = 125 ]
	[ "$(grep -c . <<<"$stderr")" = 2 ]
	[ "$(head -1 <<<"$stderr")" = "[runb] config.json -> runb --verbose --cap-drop ALL --pids 0 --read-only \
--hostname oci-host --env PATH=/bin --env 'GREETING=héllo wörld' --workdir /work --user 1000:100 --groups '' \
--cap-add kill --cap-add audit_write --ulimit nofile=1024:4096 --oom-score-adj 0 --volume /srv:/data:ro \
--tmpfs /scratch:size=1m --memory 67108864 --cpus 0.50000 --pids 99 --net none --no-tty -- \
oci $bundle/rootfs sh -c 'echo \"it ran\"'" ]
	# and runb's own parser took that line whole: it stopped only at the root check
	[[ $(tail -1 <<<"$stderr") == "runb: must be run as root"* ]]
	# the same from the bundle as the current directory, and with --bundle=DIR
	run --separate-stderr nobody sh -c 'cd "$1" && "$2" run oci' sh "$bundle" "$RUNB_OCI_DIR/runb-oci"
	reaches_root_check
	rbo run --bundle="$bundle" oci
	reaches_root_check
	# without process.capabilities and noNewPrivileges: none, and no_new_privs off, as the spec says
	oci_bundle "$(sed '/"capabilities"/,/"permitted"/d; s/"noNewPrivileges": true, //' <<<"$OCI_OK")"
	rbo --debug run --bundle "$bundle" oci
	[[ $(head -1 <<<"$stderr") == *"--cap-drop ALL --pids 0 --read-only"* ]]
	[[ $(head -1 <<<"$stderr") != *"--cap-add"* ]]
	[[ $(head -1 <<<"$stderr") == *"--security-opt no-new-privileges=false --net none"* ]]
}

@test "runb-oci: --version, --help; an unknown command, option or a missing ID: 125 and one line" {
	rbo --version
	[ "$status" = 0 ]
	[ "$output" = "runb-oci version $(nobody "$RUNB_CLI" --version | cut -d' ' -f2)
spec: 1.0.2" ]
	rbo --help
	[ "$status" = 0 ]
	[[ $output == "usage: runb-oci "* ]]
	rbo frobnicate oci
	[ "$status" = 125 ]
	[ "$stderr" = "runb: runb-oci: unknown command 'frobnicate' (runb-oci --help)" ]
	rbo --frob run oci
	[ "$stderr" = "runb: runb-oci: unknown option '--frob' (runb-oci --help)" ]
	rbo run --frob oci
	[ "$stderr" = "runb: runb-oci run: unknown option '--frob' (runb-oci --help)" ]
	rbo run
	[ "$stderr" = "runb: runb-oci run: expected ID after the options (runb-oci --help)" ]
	rbo kill oci TERM more
	[ "$stderr" = "runb: runb-oci kill: expected ID [SIGNAL] after the options (runb-oci --help)" ]
	# each verb takes its own options only, and the caller's --flag=value form too
	rbo run --force oci
	[ "$stderr" = "runb: runb-oci run: unknown option '--force' (runb-oci --help)" ]
	rbo create --preserve-fds=3 oci
	[ "$stderr" = "runb: runb-oci create: --preserve-fds 3: runb passes no descriptors beyond 0, 1 and 2" ]
	rbo --systemd-cgroup create oci
	[ "$stderr" = "runb: runb-oci: --systemd-cgroup: runb manages its cgroups itself, under runb/ID; use the cgroupfs driver" ]
	rbo --root relative state oci
	[ "$stderr" = "runb: runb-oci: --root relative: an absolute path, please" ]
	rbo --root /nonexistent state oci
	[ "$status" = 125 ]
	[ "$stderr" = "runb: state: container oci does not exist" ]
	rbo --root /nonexistent delete ../x
	[ "$stderr" = "runb: delete: container ../x does not exist" ]
	rbo --log-format yaml run oci
	[ "$stderr" = "runb: runb-oci: --log-format 'yaml': text or json" ]
	# a bundle without config.json
	oci_bundle "$OCI_OK"
	rm "$bundle/config.json"
	rbo run --bundle "$bundle" oci
	[ "$status" = 125 ]
	[ "$stderr" = "runb: open $bundle/config.json: No such file or directory" ]
	# runb's own verbs and options are not runb-oci's
	rbo logs oci
	[ "$stderr" = "runb: runb-oci: unknown command 'logs' (runb-oci --help)" ]
	rbo ps -a
	[ "$stderr" = "runb: runb-oci ps: unknown option '-a' (runb-oci --help)" ]
}

@test "runb-oci: JSON that is not RFC 8259's: 125 and one line naming the byte, no crash" {
	local deep
	deep=$(printf '%.0s[' $(seq 1000))$(printf '%.0s]' $(seq 1000))
	oci_refused "" "runb: config.json: byte 0: the text ends where a value should be: not valid JSON (RFC 8259)"
	oci_refused "${OCI_OK:0:300}" "runb: config.json: byte 300: a string without its closing quote: not valid JSON (RFC 8259)"
	oci_refused '{"a": 1' "runb: config.json: byte 7: expected ',' or '}': not valid JSON (RFC 8259)"
	oci_refused '{"hostname": "a",}' "runb: config.json: byte 17: an object's key must be a string: not valid JSON (RFC 8259)"
	oci_refused '[1, 2,]' "runb: config.json: byte 6: not a value: not valid JSON (RFC 8259)"
	oci_refused '{"a": 012}' "runb: config.json: byte 6: a number must start with one digit, or 0 alone: not valid JSON (RFC 8259)"
	oci_refused '{"a": 1.}' "runb: config.json: byte 8: no digit after a decimal point: not valid JSON (RFC 8259)"
	oci_refused '{"a": 1e}' "runb: config.json: byte 8: no digit in an exponent: not valid JSON (RFC 8259)"
	oci_refused "$deep" "runb: config.json: byte 65: nested deeper than 64: not valid JSON (RFC 8259)"
	oci_refused '{} {}' "runb: config.json: byte 3: more after the value: not valid JSON (RFC 8259)"
	oci_refused '{"a": tru}' "runb: config.json: byte 6: not a value: not valid JSON (RFC 8259)"
	oci_refused '{"a": "b' "runb: config.json: byte 8: a string without its closing quote: not valid JSON (RFC 8259)"
	oci_refused $'{"a": "b\tc"}' "runb: config.json: byte 8: a control character in a string: not valid JSON (RFC 8259)"
	oci_refused '{"a": "\x"}' "runb: config.json: byte 7: an unknown escape in a string: not valid JSON (RFC 8259)"
	oci_refused '{"a": "\u12"}' "runb: config.json: byte 7: \u without four hex digits: not valid JSON (RFC 8259)"
	oci_refused '{"a" 1}' "runb: config.json: byte 5: a ':' must follow an object's key: not valid JSON (RFC 8259)"
	oci_refused '{"a": 1 "b": 2}' "runb: config.json: byte 8: expected ',' or '}': not valid JSON (RFC 8259)"
	# invalid UTF-8: a stray byte, an overlong '/', a surrogate, beyond U+10FFFF
	oci_refused $'{"a": "\xff"}' "runb: config.json: byte 7: invalid UTF-8 in a string: not valid JSON (RFC 8259)"
	oci_refused $'{"a": "\xc0\xaf"}' "runb: config.json: byte 7: invalid UTF-8 in a string: not valid JSON (RFC 8259)"
	oci_refused $'{"a": "\xed\xa0\x80"}' "runb: config.json: byte 7: invalid UTF-8 in a string: not valid JSON (RFC 8259)"
	oci_refused $'{"a": "\xf4\x90\x80\x80"}' "runb: config.json: byte 7: invalid UTF-8 in a string: not valid JSON (RFC 8259)"
	# the control: valid UTF-8 of 2, 3 and 4 bytes, and escapes, are read
	oci_bundle "$(oci_with oci-host 'h\u00e9-\u20ac-\ud83d\ude00-'$'\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80')"
	rbo --debug run --bundle "$bundle" oci
	[[ $(head -1 <<<"$stderr") == *"--hostname h"$'\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80-\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'" "* ]]
}

@test "runb-oci: a field of the wrong type, out of range, or one runb cannot honour yet: 125 and one line naming it" {
	local no='runb: config.json:'
	oci_refused '[]' "$no the top level: expected an object, not an array"
	oci_refused "$(oci_with '"args": [ "sh", "-c", "echo \"it ran\"" ]' '"args": "sh"')" \
		"$no process.args: expected an array, not a string"
	oci_refused "$(oci_with '"args": [ "sh", "-c", "echo \"it ran\"" ]' '"args": []')" \
		"$no process.args: empty: it needs the command to run"
	oci_refused "$(oci_with '"uid": 1000' '"uid": -1')" "$no process.user.uid: expected a whole number from 0 to 4294967294"
	oci_refused "$(oci_with '"uid": 1000' '"uid": 1.5')" "$no process.user.uid: expected a whole number from 0 to 4294967294"
	oci_refused "$(oci_with '"limit": 67108864' '"limit": 99999999999999999999999999')" \
		"$no linux.resources.memory.limit: larger than 9223372036854775807"
	oci_refused "$(oci_with '"readonly": true' '"readonly": "yes"')" "$no root.readonly: expected a boolean, not a string"
	oci_refused "$(oci_with '"oci-host"' '"a\u0000b"')" "$no hostname: \\u0000: runb takes no NUL in a string"
	oci_refused "$(oci_with '"oci-host"' '"a\ud800b"')" "$no hostname: \\ud800 is half a surrogate pair"
	oci_refused "$(oci_with '"root": { "path": "rootfs", "readonly": true },' '')" "$no root.path and process.args: missing"
	oci_refused "$(oci_with 1.0.2 2.0.0)" "$no ociVersion: '2.0.0': runb-oci reads version 1 of the specification"
	oci_refused "$(oci_with '"hooks": {}' '"hooks": { "createContainer": [ { "path": "/bin/true" } ] }')" \
		"$no hooks.createContainer: not supported by runb-oci: runb runs no hook inside the container before its root switch"
	oci_refused "$(oci_with '"hooks": {}' '"hooks": { "prestart": [ { "path": "bin/true" } ] }')" \
		"$no hooks.prestart[0].path: missing, or not absolute"
	oci_refused "$(oci_with '"hooks": {}' '"hooks": { "prestart": [ { "path": "/bin/true" } ] }')" \
		"runb: run: config.json has hooks, which runb runs with create, start and delete only"
	oci_refused "$(oci_with '{ "type": "cgroup" }' '{ "type": "user" }')" \
		"$no linux.namespaces: not supported by runb-oci: a user namespace"
	oci_refused "$(oci_with '{ "type": "pid" }, ' '')" \
		"$no linux.namespaces: not supported by runb-oci: the host's pid namespace (runb always makes a new one)"
	oci_refused "$(oci_with '{ "type": "pid" }' '{ "type": "pid", "path": "/proc/1/ns/pid" }')" \
		"$no linux.namespaces[].path: not supported by runb-oci: runb joins a network, IPC or UTS namespace, and makes the others itself"
	oci_refused "$(oci_with '{ "type": "network" }' '{ "type": "network", "path": "run/netns/x" }')" \
		"$no linux.namespaces[].path: 'run/netns/x' is not absolute"
	oci_refused "$(oci_with '{ "type": "uts" }' '{ "type": "uts", "path": "/proc/1/ns/uts" }')" \
		"$no hostname: a joined UTS namespace keeps its own host name"
	# joined by path, they reach runb's options (and the root check)
	oci_bundle "$(oci_with '{ "type": "network" }' '{ "type": "network", "path": "/run/netns/x" }')"
	rbo --debug run --bundle "$bundle" oci
	[[ $(head -1 <<<"$stderr") == *" --net ns:/run/netns/x "* ]]
	[[ $(tail -1 <<<"$stderr") == "runb: must be run as root"* ]]
	oci_refused "$(oci_with '{ "type": "cgroup" }' '{ "type": "bogus" }')" "$no linux.namespaces[5].type: unknown 'bogus'"
	oci_refused "$(oci_with '"CAP_KILL", "CAP_AUDIT_WRITE"' '"CAP_FLY"')" \
		"$no process.capabilities.bounding: unknown capability 'CAP_FLY'"
	oci_refused "$(oci_with '"effective": [ "CAP_KILL", "CAP_AUDIT_WRITE" ]' '"effective": [ "CAP_SYS_ADMIN" ]')" \
		"$no process.capabilities.effective: not supported by runb-oci: other than the bounding set (runb gives root the bounding set, and another user none)"
	# fewer effective than bounding: runb would give root more than asked
	oci_refused "$(oci_with '"effective": [ "CAP_KILL", "CAP_AUDIT_WRITE" ]' '"effective": [ "CAP_KILL" ]')" \
		"$no process.capabilities.effective: not supported by runb-oci: other than the bounding set (runb gives root the bounding set, and another user none)"
	oci_refused "$(oci_with '"ambient": []' '"ambient": [ "CAP_KILL" ]')" \
		"$no process.capabilities.ambient: not supported by runb-oci: runb leaves it empty"
	local v
	for v in 1001 -1001 1e2 1.5 -1000000000000; do
		oci_refused "$(oci_with '"oomScoreAdj": 0' "\"oomScoreAdj\": $v")" \
			"$no process.oomScoreAdj: expected a whole number from -1000 to 1000"
	done
	oci_refused "$(oci_with '"oomScoreAdj": 0' '"oomScoreAdj": "500"')" \
		"$no process.oomScoreAdj: expected a number, not a string"
	oci_refused "$(oci_with '"gid": 100 }' '"gid": 100, "umask": 512 }')" "$no process.user.umask: larger than 511"
	for v in -1 0.5; do
		oci_refused "$(oci_with '"gid": 100 }' "\"gid\": 100, \"umask\": $v }")" \
			"$no process.user.umask: expected a whole number from 0 to 511"
	done
	oci_refused "$(oci_with '"/proc/kcore"' '"/etc/shadow"')" \
		"$no linux.maskedPaths: not supported by runb-oci: /etc/shadow (runb masks its own list, README's)"
	# device rules: runb's own list is what the container opens (as runc adds its defaults)
	oci_refused "$(oci_with '"allow": false' '"allow": true')" \
		"$no linux.resources.devices[0]: not supported by runb-oci: a rule that allows a device runb does not allow (runb's list: null, zero, full, tty, random, urandom, ptmx, pts/N)"
	oci_refused "$(oci_with '"allow": false' '"allow": true, "type": "b", "major": 8, "minor": 0')" \
		"$no linux.resources.devices[0]: not supported by runb-oci: a rule that allows a device runb does not allow (runb's list: null, zero, full, tty, random, urandom, ptmx, pts/N)"
	oci_refused "$(oci_with '"allow": false' '"allow": false, "type": "c", "major": 1, "minor": 3')" \
		"$no linux.resources.devices[0]: not supported by runb-oci: a rule that denies a device runb allows (runb's list: null, zero, full, tty, random, urandom, ptmx, pts/N)"
	oci_refused "$(oci_with '"allow": false' '"allow": false, "type": "c", "major": 136')" \
		"$no linux.resources.devices[0]: not supported by runb-oci: a rule that denies a device runb allows (runb's list: null, zero, full, tty, random, urandom, ptmx, pts/N)"
	oci_refused "$(oci_with '"/scratch", "type": "tmpfs"' '"/scratch", "type": "nfs"')" \
		"$no mounts[6]: not supported by runb-oci: type 'nfs' on /scratch"
	oci_refused "$(oci_with '"size=1m"' '"nosymfollow"')" \
		"$no mounts[6].options: not supported by runb-oci: 'nosymfollow' on /scratch"
	oci_refused "$(oci_with '"source": "/srv"' '"source": "/a:b"')" \
		"$no mounts[5]: not supported by runb-oci: a bind needs a source, the destination must be absolute, and no path may hold ':' (runb's --volume)"
	oci_refused "$(oci_with '"maskedPaths"' '"seccomp": { "defaultAction": "SCMP_ACT_NOTIFY" }, "maskedPaths"')" \
		"$no linux.seccomp.defaultAction: action 'SCMP_ACT_NOTIFY': not supported by runb-oci (ALLOW, ERRNO, KILL, KILL_THREAD, KILL_PROCESS, TRAP, LOG)"
	oci_refused "$(oci_with '"maskedPaths"' '"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "getpid" ], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 6, "value": 1, "op": "SCMP_CMP_EQ" } ] } ] }, "maskedPaths"')" \
		"$no linux.seccomp.syscalls[0]: larger than 5"
	oci_refused "$(oci_with '"maskedPaths"' '"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "getpid" ], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_ABOUT" } ] } ] }, "maskedPaths"')" \
		"$no linux.seccomp.syscalls[0]: op 'SCMP_CMP_ABOUT': not a libseccomp comparison"
	oci_refused "$(oci_with '"maskedPaths"' '"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/l.sock" }, "maskedPaths"')" \
		"$no listenerPath: not supported by runb-oci: runb's filter takes no flags and has no listener"
	oci_refused "$(oci_with '"maskedPaths"' '"sysctl": { "kernel.hostname": "x" }, "maskedPaths"')" \
		"runb: invalid --sysctl 'kernel.hostname=x': expected KEY=VALUE, KEY in the container's own namespaces (net.*, fs.mqueue.*, kernel.shm*, kernel.msg*, kernel.sem)"
	oci_refused "$(oci_with '"maskedPaths"' '"sysctl": { "net.ipv4..x": "1" }, "maskedPaths"')" \
		"runb: invalid --sysctl 'net.ipv4..x=1': expected KEY=VALUE, KEY in the container's own namespaces (net.*, fs.mqueue.*, kernel.shm*, kernel.msg*, kernel.sem)"
	# a value runb's own option refuses is refused as on the command line
	oci_refused "$(oci_with '"/work"' '"work"')" "runb: invalid --workdir 'work': must be absolute"
	# KEY alone would be runb's -e KEY, which takes the value from runb's own environment
	oci_refused "$(oci_with '"PATH=/bin"' '"HOME"')" "$no process.env[0]: 'HOME' is not KEY=VALUE"
	oci_refused "$(oci_with '"limit": 67108864' '"limit": 67108864, "swap": 1048576')" \
		"runb: --memory-swap: with -m, and at least -m's (it counts memory and swap together)"
}

@test "runb-oci spec: a config.json of runb's defaults, which runb-oci run reads back whole; never over an existing one" {
	local want
	bundle=$(mktemp -d "$RUNB_OCI_DIR/bundle.XXXXXX")
	chmod 777 "$bundle"
	rbo spec --bundle "$bundle"
	[ "$status" = 0 ]
	[ -z "$output$stderr" ]
	python3 -m json.tool "$bundle/config.json" >/dev/null
	# the tables runb runs: the slide's shell, SET_CAPS, the slides' mounts, runb's masks
	grep -q '"args": \[ "sh" \]' "$bundle/config.json"
	grep -q '"bounding": \[ "CAP_CHOWN", "CAP_DAC_OVERRIDE", .*"CAP_AUDIT_READ" \]' "$bundle/config.json"
	grep -q '{ "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": \[ "noexec", "nosuid", "newinstance", "ptmxmode=0666", "mode=620", "gid=5" \] }' "$bundle/config.json"
	grep -q '"readonlyPaths": \[ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" \]' "$bundle/config.json"
	# read back: runb's own defaults, as options
	rbo --debug run --bundle "$bundle" oci
	want="[runb] config.json -> runb --verbose --cap-drop ALL --pids 0 --hostname runb"
	want+=" --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env TERM=xterm"
	want+=" --workdir / --user 0:0 --groups '' --cap-add chown --cap-add dac_override --cap-add fowner"
	want+=" --cap-add fsetid --cap-add kill --cap-add setgid --cap-add setuid --cap-add setpcap"
	want+=" --cap-add net_bind_service --cap-add net_raw --cap-add sys_chroot --cap-add mknod"
	want+=" --cap-add audit_write --cap-add setfcap --cap-add audit_read --pids 2048 --net none"
	want+=" --no-tty -- oci $bundle/rootfs sh"
	[ "$(head -1 <<<"$stderr")" = "$want" ]
	[[ $(tail -1 <<<"$stderr") == "runb: must be run as root"* ]]
	# never over an existing config.json; and spec takes no ID
	rbo spec --bundle "$bundle"
	[ "$status" = 125 ]
	[ "$stderr" = "runb: spec: $bundle/config.json exists: remove it first" ]
	rbo spec --bundle "$bundle" oci
	[ "$stderr" = "runb: runb-oci spec: unexpected argument 'oci' (runb-oci --help)" ]
}

@test "runb-oci features: JSON of what run honours, and run honours each thing it lists" {
	local caps opts n
	rbo features
	[ "$status" = 0 ]
	python3 -m json.tool <<<"$output" >/dev/null
	[ "$(python3 -c 'import json, sys; f = json.load(sys.stdin); print(f["linux"]["namespaces"], f["linux"]["seccomp"]["enabled"], f["hooks"])' <<<"$output")" = \
		"['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'] True ['prestart', 'createRuntime', 'poststart', 'poststop']" ]
	caps=$(python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["linux"]["capabilities"]))' <<<"$output")
	opts=$(python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["mountOptions"]))' <<<"$output")
	n=$(python3 -c 'import json, sys; print(len(json.loads(sys.argv[1])))' "$caps")
	[ "$n" -ge 41 ]
	# every capability it lists as the bounding set, every mount option on a bind
	oci_bundle "$(oci_with '"capabilities": { "bounding": [ "CAP_KILL", "CAP_AUDIT_WRITE" ], "effective": [ "CAP_KILL", "CAP_AUDIT_WRITE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL" ],' "\"capabilities\": { \"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps," |
		sed "s|\"options\": \\[ \"rbind\", \"ro\", \"rprivate\" \\]|\"options\": $opts|")"
	rbo --debug run --bundle "$bundle" oci
	[ "$(head -1 <<<"$stderr" | grep -o -- '--cap-add [a-z_]*' | wc -l)" = "$n" ]
	[[ $(head -1 <<<"$stderr") == *"--volume /srv:/data:ro,nosuid,nodev,noexec "* ]]
	[[ $(tail -1 <<<"$stderr") == "runb: must be run as root"* ]]
	rbo features x
	[ "$stderr" = "runb: runb-oci features: unexpected argument 'x' (runb-oci --help)" ]
}

@test "runb-oci: what Go's encoding/json (runc's) would read otherwise is refused: a key but for case, a key given twice, a NUL" {
	local no='runb: config.json:'
	# runc matches keys ignoring case, and merges a key given twice: runb would read another field
	oci_refused "$(oci_with '"hooks": {}' '"Hooks": { "prestart": [ { "path": "/x" } ] }')" \
		"$no key 'Hooks': runb reads 'hooks' only as written (runc would read this as 'hooks')"
	oci_refused "$(oci_with '"annotations"' '"linux": { "sysctl": { "a": "b" } }, "annotations"')" \
		"$no key 'linux' given twice in one object"
	# an escaped key is the key it decodes to, as in Go
	oci_bundle "$(oci_with '"hostname"' '"h\u006fstname"')"
	rbo --debug run --bundle "$bundle" oci
	[[ $(head -1 <<<"$stderr") == *"--hostname oci-host "* ]]
	oci_refused "$(oci_with '"hooks": {}' '"h\u006Fo\u006bs": { "startContainer": [ { "path": "/x" } ] }')" \
		"$no hooks.startContainer: not supported by runb-oci: runb runs no hook inside the container"
	# a NUL byte is no whitespace, and no escape (bash holds no NUL: printf writes it)
	oci_bundle '{}'
	printf '{"a":\0 1}' >"$bundle/config.json"
	rbo run --bundle "$bundle" oci
	[ "$stderr" = "$no byte 5: not a value: not valid JSON (RFC 8259)" ]
	printf '{"a": "b\\\0"}' >"$bundle/config.json"
	rbo run --bundle "$bundle" oci
	[ "$stderr" = "$no byte 8: an unknown escape in a string: not valid JSON (RFC 8259)" ]
}

@test "runb-oci: mounts, hostname and config.json's own file, refused where runb would do less than asked" {
	local no='runb: config.json:'
	# an option runb has no word for
	oci_refused "$(oci_with '"rbind", "ro", "rprivate"' '"rbind", "nosymfollow"')" \
		"$no mounts[5].options: not supported by runb-oci: 'nosymfollow' on /data"
	# a destination longer than a path may be: refused, not cut short (and its options lost)
	oci_refused "$(oci_with '"destination": "/data"' "\"destination\": \"/data$(printf '/%.0s' $(seq 9000))\"")" \
		"$no mounts[5]: a path longer than 4095 bytes"
	oci_refused "$(oci_with '"destination": "/data"' '"destination": "data"')" \
		"$no mounts[5]: not supported by runb-oci: a bind needs a source, the destination must be absolute, and no path may hold ':' (runb's --volume)"
	# size= and mode= that runb's --tmpfs could not hold whole
	oci_refused "$(oci_with '"size=1m"' "$(printf '"mode=1777", %.0s' $(seq 13))\"size=1m\"")" \
		"$no mounts[6].options: size= and mode= longer than 127 bytes"
	# a host name with a newline would add a line to /etc/hosts
	oci_refused "$(oci_with '"oci-host"' '"a\n6.6.6.6 evil.example"')" \
		"runb: invalid --hostname: a control character (it goes into /etc/hosts)"
	# config.json a FIFO: refused at once, not waited on
	oci_bundle "$OCI_OK"
	rm "$bundle/config.json"
	mkfifo -m 644 "$bundle/config.json"
	rbo run --bundle "$bundle" oci
	[ "$status" = 125 ]
	[ "$stderr" = "runb: $bundle/config.json: not a regular file of at most 4194304 bytes" ]
}

@test "--sysctl, --group-add, --groups, --memory-swap, --cpu-shares: a bad value is one line and 125" {
	local kv
	for kv in kernel.hostname=x net.ipv4..x=1 net.ipv4.x fs.file-max=1 ../x=1 'net.a/b=1' .net.x=1; do
		rbn --sysctl "$kv" c "$NOROOT"
		[ "$status" = 125 ]
		[ "$stderr" = "runb: invalid --sysctl '$kv': expected KEY=VALUE, KEY in the container's own namespaces (net.*, fs.mqueue.*, kernel.shm*, kernel.msg*, kernel.sem)" ]
	done
	rbn --group-add wheel c "$NOROOT"
	[ "$stderr" = "runb: invalid --group-add 'wheel': expected a GID, a number" ]
	rbn --groups 1,x c "$NOROOT"
	[ "$stderr" = "runb: invalid --group-add 'x': expected a GID, a number" ]
	rbn --memory-swap 1g c "$NOROOT"
	[ "$stderr" = "runb: --memory-swap: with -m, and at least -m's (it counts memory and swap together)" ]
	rbn -m 1g --memory-swap 512m c "$NOROOT"
	[ "$stderr" = "runb: --memory-swap: with -m, and at least -m's (it counts memory and swap together)" ]
	rbn --cpu-shares 1 c "$NOROOT"
	[ "$stderr" = "runb: invalid --cpu-shares '1': expected 2 to 262144 (docker's default: 1024)" ]
	# and the good ones pass the parser: it stops only at the root check
	rbn --sysctl net.ipv4.ping_group_range='0 1' --groups '' --group-add 5 -m 1g --memory-swap -1 --cpu-shares 512 c "$NOROOT"
	[[ $stderr == "runb: must be run as root"* ]]
}

@test "--umask, --oom-score-adj, --volume and --tmpfs options, --net/--ipc/--uts ns:PATH: a bad value or combination is one line and 125" {
	local v
	for v in 8 1000 0x1 '' -1 07777; do
		rbn --umask "$v" c "$NOROOT"
		[ "$status" = 125 ]
		[ "$stderr" = "runb: invalid --umask '$v': expected an octal mode from 0 to 0777" ]
	done
	for v in 1001 -1001 +5 1e2 '' - 5x; do
		rbn --oom-score-adj "$v" c "$NOROOT"
		[ "$status" = 125 ]
		[ "$stderr" = "runb: invalid --oom-score-adj '$v': expected a number from -1000 to 1000" ]
	done
	rbn --volume /x:/y:ro,exec c "$NOROOT"
	[ "$stderr" = "runb: invalid --volume '/x:/y:ro,exec': unknown option 'exec' (ro, rw, nosuid, nodev, noexec)" ]
	rbn --tmpfs /y:suid c "$NOROOT"
	[ "$stderr" = "runb: invalid --tmpfs '/y:suid': 'suid' (expected size=N[k|m|g|%], mode=OCTAL, noexec or tmpcopyup)" ]
	# a joined namespace is its owner's: nothing runb would set there
	rbn --net ns:/run/netns/x -p 8080:80 c "$NOROOT"
	[ "$stderr" = "runb: --net ns:PATH or container:NAME joins a network runb does not own: no -p, no --ip" ]
	rbn --net container:x --ip 10.0.0.9 c "$NOROOT"
	[ "$stderr" = "runb: --net ns:PATH or container:NAME joins a network runb does not own: no -p, no --ip" ]
	rbn --uts ns:/proc/1/ns/uts --hostname h c "$NOROOT"
	[ "$stderr" = "runb: --uts ns:PATH joins a host name runb does not own: no --hostname" ]
	rbn --net ns:/run/netns/x --sysctl net.ipv4.ip_default_ttl=65 c "$NOROOT"
	[ "$stderr" = "runb: --sysctl net.ipv4.ip_default_ttl=65: its namespace is joined (--net ns:PATH), and runb does not own it" ]
	rbn --ipc ns:/proc/1/ns/ipc --sysctl kernel.shmmni=4095 c "$NOROOT"
	[ "$stderr" = "runb: --sysctl kernel.shmmni=4095: its namespace is joined (--ipc ns:PATH), and runb does not own it" ]
	rbn --ipc /proc/1/ns/ipc c "$NOROOT"
	[ "$stderr" = "runb: invalid --ipc '/proc/1/ns/ipc': expected ns:PATH, PATH absolute" ]
	rbn --net ns:relative c "$NOROOT"
	[ "$stderr" = "runb: invalid --net 'ns:relative': expected ns:PATH, PATH absolute, or none, bridge, container:NAME" ]
	rbn --net container:../x c "$NOROOT"
	[ "$stderr" = "runb: invalid --net 'container:../x': container:NAME, NAME a runb container's" ]
	rbn --tmpfs "/y$(printf '/%.0s' $(seq 5000))" c "$NOROOT"
	[ "$stderr" = "runb: invalid --tmpfs: the container's path is longer than 4095 bytes" ]
	rbn --umask 0027 --oom-score-adj -1000 --volume /x:/y:rw,nosuid,nodev,noexec --tmpfs /z:noexec,tmpcopyup c "$NOROOT"
	[[ $stderr == "runb: must be run as root"* ]]
}
