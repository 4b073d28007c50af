#!/usr/bin/env bats
# runb --step (issue 15): before each slide's step runb says which slide,
# the shell line and what it is about to do, names the command to look with,
# and waits for Enter on the terminal. Its terminal here is test/ptyrun's (see
# tty.bats); without a terminal --step refuses.

load helpers

setup_file() { common_setup_file; }
setup() { pty_setup; }
teardown() { common_teardown; }

# how long ptyrun waits for any expected text (helpers.bash's pty)
PTY_TIMEOUT=60

# The slide numbers of the pauses in $output, in their order.
pauses() {
	grep -o -- '--step: slide [0-9]*' <<<"$output" | grep -o '[0-9]*$' | tr '\n' ' '
}

@test "--step pauses before each slide's step, in the slides' order, and waits for Enter" {
	local enters
	enters=$(printf '\\r%.0s' $(seq 80))
	# one Enter, a pause of 1 s in which nothing may go on, then the rest at once
	pty "expect press Enter to go on" "sleep 1000" "send \\r" \
		"expect slide 26: ip netns add NAME" "send $enters" wait -- \
		"${RB[@]}" --step -v --net none "$CNAME" "$ROOTFS" /bin/echo container-ran
	assert_success
	assert_line 'ptyrun: status 0'
	local order
	order=$(pauses)
	echo "pauses at slides: $order"
	# every slide, 25 to 33, in order (29-30's mounts count as 29 and 30)
	[ "$order" = "$(tr ' ' '\n' <<<"$order" | sed '/^$/d' | sort -n | tr '\n' ' ')" ]
	for s in 25 26 27 28 29 30 31 32 33; do
		[[ " $order" == *" $s "* ]] || fail "no pause at slide $s"
	done
	# each pause says what comes, and the command to look at it with
	[ "$(grep -c -- '--step: slide' <<<"$output")" = "$(grep -c '^  runb is about to: ' <<<"$output")" ]
	[ "$(grep -c -- '--step: slide' <<<"$output")" = "$(grep -c '^  look: ' <<<"$output")" ]
	assert_output --partial "look: ls -d /sys/fs/cgroup/*/runb/$CNAME"
	assert_output --regexp "look: nsenter -t [0-9]+ -m findmnt -R "
	# nothing was done before the first Enter: the first pause comes before any
	# step's -v line, and the command runs only after the last pause
	local first_pause first_step last_pause ran
	first_pause=$(grep -n -m1 -- '--step: slide' <<<"$output" | cut -d: -f1)
	first_step=$(grep -n -m1 '^\[slide ' <<<"$output" | cut -d: -f1)
	last_pause=$(grep -n -- '--step: slide' <<<"$output" | tail -n 1 | cut -d: -f1)
	ran=$(grep -n -m1 '^container-ran' <<<"$output" | cut -d: -f1)
	[ -n "$first_step" ] && [ "$first_pause" -lt "$first_step" ]
	[ -n "$ran" ] && [ "$last_pause" -lt "$ran" ]
}

@test "--step really waits: without Enter, slide 25's cgroup is not made" {
	# ptyrun starts runb, reads its first pause, and stops it there with SIGTERM
	pty "expect press Enter to go on" "sleep 500" "kill 15" wait -- \
		"${RB[@]}" --step --net none "$CNAME" "$ROOTFS" true
	assert_output --partial '--step: slide 25'
	# runb died at the first pause: no cgroup, no netns (common_teardown checks the
	# rest), and not one step's line
	assert_line 'ptyrun: status 143'
	[ ! -e "/run/netns/$CNAME" ]
	refute_output --partial '--step: slide 26'
}

@test "--step without a terminal refuses with one line, 125, nothing made" {
	run setsid -w nsenter --net="/run/netns/$NS" "$RUNB" --step --net none "$CNAME" "$ROOTFS" true </dev/null
	[ "$status" = 125 ]
	assert_output --regexp '^runb: --step waits for Enter on a terminal, and runb has none \(/dev/tty: .*\)$'
	# -d and --step: refused too
	run rb -d --step --net none "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: -d and --step: --step waits on the terminal that -d leaves"
}
