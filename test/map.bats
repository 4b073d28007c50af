#!/usr/bin/env bats
# The slide -> function map (issue 15): the one at the top of runb.c and the
# one in README.md agree, every function they name exists, and every
# "/* Slide NN" block of Part I is in the map, under its own slide.
# (No container runs here: no network namespace, nothing on the host.)

bats_require_minimum_version 1.5.0

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	SRC=$TOP/runb.c
}

# "SLIDE FUNCTION" pairs of the map in runb.c's first comment: a row starts
# with its slide number; continuation lines (no number) belong to the row above.
map_in_source() {
	awk '/^ \*\/$/ { exit }
	     /^ \* +slide +shell step/ { on = 1; next }
	     on && /^ \*$/ { exit }
	     on && /^ \* +-+/ { next }
	     on {
		if (match($0, /^ \* +[0-9]+(-[0-9]+)?/)) { s = substr($0, RSTART, RLENGTH); sub(/^ \* +/, "", s) }
		line = $0
		while (match(line, /[a-z_][a-z0-9_]*\(\)/)) {
			print s, substr(line, RSTART, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
		}
	     }' "$SRC" | sort -u
}

# The same pairs from README.md's table under "## Slide → function map".
map_in_readme() {
	awk '/^## Slide → function map/ { on = 1; next }
	     on && /^## / { exit }
	     on && /^\| *[0-9]/ {
		n = split($0, col, "|")
		s = col[2]; gsub(/ /, "", s); gsub(/–/, "-", s)
		line = col[4]
		while (match(line, /[a-z_][a-z0-9_]*\(\)/)) {
			print s, substr(line, RSTART, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
		}
	     }' "$TOP/README.md" | sort -u
}

# "SLIDE FUNCTION" for every function defined in Part I, under the slide of
# the "/* Slide NN" (or "/* Slides NN-MM", "/* Slides 19 and 33") block it is in.
defined_in_part_one() {
	awk '/^\/\* Part I: the slides/ { on = 1; next }
	     /^\/\* Part II: beyond/ { exit }
	     on && /^\/\* Slides? [0-9]/ {
		h = $0; sub(/^\/\* Slides? /, "", h)
		if (h ~ /^[0-9]+ and [0-9]+/) { sub(/^[0-9]+ and /, "", h) }
		match(h, /^[0-9]+(-[0-9]+)?/); s = substr(h, RSTART, RLENGTH)
	     }
	     on && s != "" && /^static [^=;]*\(/ {
		match($0, /[a-z_][a-z0-9_]*\(/); print s, substr($0, RSTART, RLENGTH - 1)
	     }' "$SRC" | sort -u
}

@test "the map in runb.c and the one in README.md are the same" {
	run map_in_source
	local src=$output
	[ "$(wc -l <<<"$src")" -ge 18 ]
	run map_in_readme
	echo "runb.c:"; echo "$src"; echo "README.md:"; echo "$output"
	[ "$src" = "$output" ]
}

@test "every function the map names exists, in Part I, in its slide's block" {
	local defined pair
	defined=$(defined_in_part_one)
	while read -r pair; do
		grep -qxF "$pair" <<<"$defined" || { echo "not in its slide's block: $pair"; return 1; }
	done < <(map_in_source)
}

@test "every slide block of Part I is in the map" {
	local mapped slide
	mapped=$(map_in_source)
	# each block's slide has at least one of the block's functions in the map
	while read -r slide; do
		grep -q "^$slide " <<<"$mapped" || { echo "slide $slide has a block but no map row"; return 1; }
	done < <(defined_in_part_one | cut -d' ' -f1 | sort -u)
	# and Part I covers every slide from 25 to 33
	for slide in 25 26 27 28 29-30 31 32 33; do
		grep -q "^$slide " <<<"$mapped" || { echo "no map row for slide $slide"; return 1; }
	done
}

@test "Part I's slide headers come in the slides' order, each with the shell line it replaces" {
	run awk '/^\/\* Part I: the slides/ { on = 1; next } /^\/\* Part II: beyond/ { exit }
		 on && /^\/\* Slides? [0-9]/ { print }' "$SRC"
	local prev=0 n line
	[ "${#lines[@]}" -ge 15 ]
	for line in "${lines[@]}"; do
		n=$(sed -E 's/^\/\* Slides? ([0-9]+ and )?([0-9]+).*/\2/' <<<"$line")
		[ "$n" -ge "$prev" ] || { echo "out of order: $line"; return 1; }
		prev=$n
		# the brief's shape: /* Slide NN: <title> — replaces: <shell line>
		[[ $line =~ ^/\*\ Slides?\ [0-9][^:]*:\ .+\ —\ replaces: ]] ||
			{ echo "not '/* Slide NN: <title> — replaces: <shell line>': $line"; return 1; }
	done
}

# A part's index (issue 20): "II.N  TITLE" rows (or "III.N"), each followed
# by rows of "ENTRY(), ... <- CALLER(), ...", in the comment that begins with
# the line matching START. Prints "T N TITLE" and "E N ENTRY CALLER" lines.
part_index() {
	awk -v start="$1" -v roman="$2" '$0 ~ start { on = 1; next }
	     on && /^ \*\/$/ { exit }
	     on && match($0, "^ \\*   " roman "\\.[0-9]+  ") {
		n = $0; sub("^ \\*   " roman "\\.", "", n); sub(/ .*/, "", n)
		t = substr($0, RLENGTH + 1); print "T", n, t; next
	     }
	     on && /<-/ {
		split($0, side, "<-"); ne = 0; nc = 0
		line = side[1]; while (match(line, /[a-z_][a-z0-9_]*\(\)/)) { e[++ne] = substr(line, RSTART, RLENGTH - 2); line = substr(line, RSTART + RLENGTH) }
		line = side[2]; while (match(line, /[a-z_][a-z0-9_]*\(\)/)) { c[++nc] = substr(line, RSTART, RLENGTH - 2); line = substr(line, RSTART + RLENGTH) }
		for (i = 1; i <= ne; i++) for (j = 1; j <= nc; j++) print "E", n, e[i], c[j]
	     }' "$SRC"
}
part_two_index() { part_index '^ \* Part II follows the container' II; }
part_three_index() { part_index '^ \* The OCI runtime specification describes' III; }

# The section (N of "Part ROMAN.N", ROMAN II by default) in which function FN is
# defined; "spine" after the parts.
section_of() {
	awk -v fn="$1" -v roman="${2:-II}" '$0 ~ "^/\\* Part [I]+\\.[0-9]+: " {
			s = "other"
			if (index($0, "/* Part " roman ".") == 1) { s = $0; sub("^/\\* Part " roman "\\.", "", s); sub(/:.*/, "", s) }
		}
		/^\/\* The spines: / { s = "spine" }
		$0 ~ "^(static|int)([^=;(]*[ *])?" fn "\\(" { print s; exit }' "$SRC"
}

# The body of function FN, from its definition to its closing brace.
body_of() {
	awk -v fn="$1" '$0 ~ "^(static|int)([^=;(]*[ *])?" fn "\\(" { on = 1 } on { print } on && /^}/ { exit }' "$SRC"
}

# check_index ROMAN INDEX MIN: INDEX (part_index's lines) has the banners of Part
# ROMAN as its sections, in order, at least MIN of them; each entry point is
# defined in its section and called (or handed over: on_exit) by its callers.
check_index() {
	local roman=$1 idx=$2 banners e n fn caller
	banners=$(sed -nE "s/^\/\* Part $roman\.([0-9]+): (.*[^ ]) +\*\/\$/T \1 \2/p" "$SRC")
	echo "index:"; grep '^T' <<<"$idx"; echo "banners:"; echo "$banners"
	[ "$(grep '^T' <<<"$idx")" = "$banners" ]
	[ "$(grep -c '^T' <<<"$idx")" -ge "$3" ]
	while read -r e n fn caller; do
		[ "$(section_of "$fn" "$roman")" = "$n" ] || { echo "$fn() is not in Part $roman.$n"; return 1; }
		body_of "$caller" | grep -qw "$fn" || { echo "$caller() does not call $fn()"; return 1; }
	done < <(grep '^E' <<<"$idx")
}

@test "Part II's index: its sections are the banners, in order; each entry point is defined in its section and called by its callers" {
	check_index II "$(part_two_index)" 8
}

@test "Part III's index: its sections are the banners, in order; each entry point is defined in its section and called by its callers" {
	check_index III "$(part_three_index)" 3
}

@test "the spine calls each slide's function, directly or in process_finalize()" {
	local fn body
	body=$(body_of container_main; body_of main; body_of process_finalize)
	while read -r _ fn; do
		case $fn in cg_detect) continue ;; esac  # called in runb_start()
		grep -q "\\b$fn(" <<<"$body" || { echo "no spine calls $fn()"; return 1; }
	done < <(map_in_source)
}

# "PART|FIRST–LAST" for each part of runb.c, from its banner (the rule line
# above the title) to the line before the next part's; the header before them.
parts_in_source() {
	awk '/^\/\* (The kit|Part I|The spines)/ {
		t = $0; sub(/^\/\* /, "", t)
		if (t ~ /^The kit, continued/) p = "the kit, continued"
		else if (t ~ /^The kit/) p = "the kit"
		else if (t ~ /^Part III?\.[0-9]+:/) { p = t; sub(/:.*/, "", p) }
		else if (t ~ /^Part III:/) p = "Part III'"'"'s index"
		else if (t ~ /^Part II:/) p = "Part II'"'"'s index"
		else if (t ~ /^Part I:/) p = "Part I"
		else p = "the spines"
		start[++n] = NR - 1; name[n] = p
	}
	END {
		printf "header|1–%d\n", start[1] - 1
		for (i = 1; i <= n; i++) printf "%s|%d–%d\n", name[i], start[i], i < n ? start[i + 1] - 1 : NR
	}' "$SRC"
}

# The same from README's table under "## How to read runb.c".
parts_in_readme() {
	awk -F'|' '/^## How to read runb.c/ { on = 1; next }
		on && /^## / { exit }
		on && /^\| / && $3 ~ /[0-9]–[0-9]/ {
			p = $2; sub(/^ +/, "", p); sub(/ +$/, "", p)
			l = $3; gsub(/ /, "", l)
			print p "|" l
		}' "$TOP/README.md"
}

@test "README's 'How to read runb.c' gives each part's lines as runb.c has them" {
	local want have
	want=$(parts_in_source)
	have=$(parts_in_readme)
	[ "$(wc -l <<<"$want")" -ge 14 ]
	[ "$want" = "$have" ] || { echo "runb.c's parts (README should say):"; echo "$want"; echo "README:"; echo "$have"; false; }
}
