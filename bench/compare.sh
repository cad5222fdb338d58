#!/usr/bin/env bash
# compare.sh runs the same `nats bench` commands against nats-server and
# holdfast on this machine and prints markdown tables of medians.
#
# Four columns (issue 8): holdfast with its default (fsync before every ack),
# holdfast with `sync_interval: 2m`, nats-server with its default (sync every
# 2m) and nats-server with `sync_interval: always`. Rows that write to a store
# (publishes, KV puts, and the durable consumers, whose acks are stored) run all
# four; rows that only read (gets, the ordered consumer) and the core rows run
# the two defaults, since sync_interval only changes their untimed prefill.
# Columns that fsync per message or per ack get smaller message counts
# (*_ALWAYS_MSGS, JS_ACKED_MSGS) so that they do not dominate the run time.
#
# Each measurement gets a freshly started server on 127.0.0.1 (port -1: the
# kernel picks a free port, read back from the server's log) with a config file
# that differs between the servers only in sync_interval. The JetStream stream
# is created beforehand with the same `nats stream add` for both servers (not
# with `nats bench --create`, whose config asks for atomic/fast batch publish,
# API level 2, which holdfast refuses). Within a round the columns run in one
# order and in the reverse order in the next round, so that neither server
# always runs on a warmer or a busier machine. Data (configs, logs, stores)
# lives under one temporary directory that is removed on exit, and every
# process started here is stopped by its pid on exit.
#
# A JetStream measurement that fails (for example a consumer API holdfast does
# not have yet) is reported as "n/a (<reason>)" and not retried in later rounds;
# the run goes on.
#
# Environment:
#   ROUNDS=3          rounds per row
#   ROWS=regex        run only rows whose id matches (ids: see `rows` below)
#   KEEP=1            keep the temporary directory (logs, stores) and print it
#   PERFSTAT=auto     attach `perf stat` to the server during each timed command
#                     (server CPU, fsyncs, writes); 0 disables, auto = if usable
#   NATS, NATS_SERVER, HOLDFAST   binaries (default: .tools/ and bin/)
#   HOLDFAST_REV      the revision printed for holdfast (default: git HEAD)
#   *_MSGS            message counts per row (see below)
# Progress goes to stderr, the tables to stdout.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-.}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NATS=${NATS:-$ROOT/.tools/nats}
NATS_SERVER=${NATS_SERVER:-$ROOT/.tools/nats-server}
HOLDFAST=${HOLDFAST:-$ROOT/bin/holdfast}
TIMEOUT=${TIMEOUT:-90}           # seconds a nats bench command may take
READ_TIMEOUT=${READ_TIMEOUT:-30} # the same for the consumer and get rows
PERFSTAT=${PERFSTAT:-auto}

# Message counts: each run should take one to a few seconds on a 2-core machine.
# The *_ALWAYS_MSGS counts are for nats-server with sync_interval: always, which
# fsyncs every message (~3-4k/s), so that column does not dominate the run time.
CORE_MSGS=${CORE_MSGS:-1000000}
PUB_MSGS=${PUB_MSGS:-3000000}
REQ_MSGS=${REQ_MSGS:-20000}
JS_ASYNC_MSGS=${JS_ASYNC_MSGS:-200000}
JS_ASYNC_ALWAYS_MSGS=${JS_ASYNC_ALWAYS_MSGS:-20000}
JS_4K_MSGS=${JS_4K_MSGS:-50000}
JS_4K_ALWAYS_MSGS=${JS_4K_ALWAYS_MSGS:-10000}
JS_SYNC_MSGS=${JS_SYNC_MSGS:-10000}
JS_READ_MSGS=${JS_READ_MSGS:-100000}
JS_ACKED_MSGS=${JS_ACKED_MSGS:-15000} # consume/fetch for the columns that fsync acks: hf, nsA
JS_GET_MSGS=${JS_GET_MSGS:-20000}
KV_MSGS=${KV_MSGS:-10000}
KV_KEYS=${KV_KEYS:-2000}         # keys put (untimed) before the KV get row
KV_GET_MSGS=${KV_GET_MSGS:-20000} # random gets over those keys

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ ! -x $NATS || ! -x $NATS_SERVER || ! -x $HOLDFAST ]]; then
	log "building peers and holdfast (make tools build)"
	make -C "$ROOT" tools build >&2
fi
HOLDFAST_REV=${HOLDFAST_REV:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}

if [[ $PERFSTAT == auto ]]; then
	PERFSTAT=0
	if perf stat -e task-clock,syscalls:sys_enter_fdatasync -- true >/dev/null 2>&1; then PERFSTAT=1; fi
fi
PERF_EVENTS=task-clock,syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync,syscalls:sys_enter_pwrite64,syscalls:sys_enter_write,syscalls:sys_enter_writev

WORK=$(mktemp -d "${TMPDIR:-/tmp}/holdfast-bench.XXXXXX")
SERVER_PIDS=()
HELPER_PIDS=()

stop_pid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local pid
	for pid in "${HELPER_PIDS[@]}" "${SERVER_PIDS[@]}"; do
		stop_pid "$pid"
	done
	if [[ ${KEEP:-} == 1 ]]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- servers ---------------------------------------------------------------

SERVER_PID=
SERVER_URL=
SERVER_PORT=
RUN=0

# start_server KIND JS SYNC: KIND is ns or hf; JS is 1 to enable JetStream with
# a store under the run directory; SYNC is "" (the server's default) or a
# sync_interval value. Sets SERVER_PID, SERVER_PORT, SERVER_URL, RUNDIR.
start_server() {
	local kind=$1 js=$2 sync=$3 bin pattern
	RUN=$((RUN + 1))
	RUNDIR=$WORK/run$RUN-$kind
	mkdir -p "$RUNDIR"
	{
		echo "host: 127.0.0.1"
		echo "port: -1"
		if [[ $js == 1 ]]; then
			echo "jetstream {"
			echo "  store_dir: \"$RUNDIR/store\""
			if [[ -n $sync ]]; then echo "  sync_interval: \"$sync\""; fi
			echo "}"
		fi
	} >"$RUNDIR/server.conf"
	case $kind in
	ns) bin=$NATS_SERVER pattern='Listening for client connections on 127.0.0.1:[0-9]+' ;;
	hf) bin=$HOLDFAST pattern='listening for client connections.*addr=127.0.0.1:[0-9]+' ;;
	esac
	"$bin" -c "$RUNDIR/server.conf" </dev/null >"$RUNDIR/server.log" 2>&1 &
	SERVER_PID=$!
	SERVER_PIDS+=("$SERVER_PID")
	SERVER_PORT=
	for _ in $(seq 100); do
		SERVER_PORT=$(grep -Eo "$pattern" "$RUNDIR/server.log" 2>/dev/null | grep -Eo '[0-9]+$' | head -1 || true)
		[[ -n $SERVER_PORT ]] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [[ -z $SERVER_PORT ]]; then
		log "$kind did not start; log:"
		tail -20 "$RUNDIR/server.log" >&2
		exit 1
	fi
	SERVER_URL=nats://127.0.0.1:$SERVER_PORT
}

# forget ARRAY PID removes PID from the named array of pids.
forget() {
	local -n arr=$1
	local keep=() p
	for p in "${arr[@]}"; do
		if [[ $p != "$2" ]]; then keep+=("$p"); fi
	done
	arr=("${keep[@]}")
}

# stop_server stops the server, leaving its peak RSS (VmHWM) in RSS and its RSS
# at the end of the run (VmRSS, before stopping) in RSS_END, both in MiB.
stop_server() {
	RSS=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status" 2>/dev/null || true)
	RSS_END=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status" 2>/dev/null || true)
	RSS=${RSS:-?} RSS_END=${RSS_END:-?}
	stop_pid "$SERVER_PID"
	forget SERVER_PIDS "$SERVER_PID"
}

# info_jetstream reports whether the server's INFO announces JetStream.
info_jetstream() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$SERVER_PORT" || return 1
	IFS= read -r -t 5 line <&"$fd" || true
	exec {fd}>&-
	[[ $line == *'"jetstream":true'* ]]
}

# ---- perf stat ---------------------------------------------------------------

PERF_PID=

# perf_start attaches perf stat to the server (all threads) until perf_stop.
perf_start() {
	[[ $PERFSTAT == 1 ]] || return 0
	perf stat -x, -e "$PERF_EVENTS" -p "$SERVER_PID" -o "$RUNDIR/perf.stat" >/dev/null 2>&1 &
	PERF_PID=$!
	HELPER_PIDS+=("$PERF_PID")
	sleep 0.2 # let it attach
}

perf_stop() {
	[[ -n $PERF_PID ]] || return 0
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	forget HELPER_PIDS "$PERF_PID"
	PERF_PID=
}

# perf_count EVENT prints the count of EVENT in this run's perf.stat (0 if none).
perf_count() {
	awk -F, -v e="$1" '$3 == e && $1 ~ /^[0-9.]+$/ {print $1; found = 1} END {if (!found) print 0}' \
		"$RUNDIR/perf.stat" 2>/dev/null || echo 0
}

# ---- measurements ----------------------------------------------------------

# nats_ runs the nats CLI against the server, for at most T (or TIMEOUT) seconds.
nats_() { timeout "${T:-$TIMEOUT}" "$NATS" --no-context -s "$SERVER_URL" "$@" </dev/null; }

# run OUT ARGS... runs nats_ ARGS with output in OUT, noting a timeout in OUT.
run() {
	local out=$1 rc=0
	shift
	nats_ "$@" >"$out" 2>&1 || rc=$?
	if ((rc == 124)); then echo "error: timed out after ${T:-$TIMEOUT} s" >>"$out"; fi
	return 0
}

# rate FILE prints the msgs/s of a nats bench output: the aggregated line when
# there are several clients, else the only stats line.
rate() {
	local line
	line=$(grep -E 'aggregated stats: [0-9,]+ msgs/sec' "$1" || true)
	[[ -z $line ]] && line=$(grep -E 'stats: [0-9,]+ msgs/sec' "$1" | tail -1 || true)
	if [[ -z $line ]]; then
		echo fail
		return
	fi
	sed -E 's/.*stats: ([0-9,]+) msgs\/sec.*/\1/; s/,//g' <<<"$line"
}

# reason FILE prints a short reason for a failed run: its first error line.
reason() {
	local r
	r=$(grep -m1 -iE 'error' "$1" 2>/dev/null |
		sed -E 's/^[0-9:]+ //; s/Error from client [0-9]+: //; s/(nats: )?error: //g; s/nats: //g' |
		tr -d '\t|' | cut -c1-90 || true)
	echo "${r:-no stats in the nats bench output}"
}

# wait_for FILE TEXT waits (up to 10 s) for TEXT to appear in FILE.
wait_for() {
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Each measure_* runs against SERVER_URL for column COL, leaves output in
# RUNDIR and sets RATE (msgs/s, or "fail"), OUT (the output to blame on
# failure) and MSGS (messages in the timed command). Only the timed command
# runs under perf_start/perf_stop.

measure_core_pubsub() {
	MSGS=$CORE_MSGS OUT=$RUNDIR/sub.out
	perf_start
	nats_ bench sub bench.core --msgs "$CORE_MSGS" --size 128B --no-progress >"$OUT" 2>&1 &
	local sp=$!
	HELPER_PIDS+=("$sp")
	wait_for "$OUT" "Starting Core NATS subscriber" || true
	sleep 0.5 # the line is printed just before SUB and its flush
	run "$RUNDIR/pub.out" bench pub bench.core --msgs "$CORE_MSGS" --size 128B --no-progress
	wait "$sp" || true
	forget HELPER_PIDS "$sp"
	perf_stop
	RATE=$(rate "$OUT")
}

measure_core_pub() {
	MSGS=$PUB_MSGS OUT=$RUNDIR/pub.out
	perf_start
	run "$OUT" bench pub bench.pubonly --msgs "$PUB_MSGS" --size 128B --no-progress
	perf_stop
	RATE=$(rate "$OUT")
}

measure_core_req() {
	MSGS=$REQ_MSGS OUT=$RUNDIR/req.out
	nats_ bench service serve bench.svc --size 128B --no-progress >"$RUNDIR/serve.out" 2>&1 &
	local sp=$!
	HELPER_PIDS+=("$sp")
	wait_for "$RUNDIR/serve.out" "Starting Core NATS service server" || true
	sleep 0.5
	perf_start
	run "$OUT" bench service request bench.svc --msgs "$REQ_MSGS" --size 128B --no-progress
	perf_stop
	stop_pid "$sp"
	forget HELPER_PIDS "$sp"
	RATE=$(rate "$OUT")
}

# js_stream creates the stream every JetStream row uses, with the same command
# for both servers: nats bench's own --create config minus atomic/fast batch
# publish. Returns 1 (RATE stays "fail") if the server refuses it.
js_stream() {
	OUT=$RUNDIR/stream.out
	if ! nats_ stream add benchstream --subjects bench.js --storage file --retention limits \
		--discard new --max-bytes 1GB --dupe-window 2m --allow-direct --replicas 1 --defaults \
		>"$OUT" 2>&1; then
		return 1
	fi
}

js_async() { # SIZE CLIENTS MSGS MSGS-FOR-nsA
	MSGS=$3
	[[ $COL == nsA ]] && MSGS=$4
	js_stream || return 0
	OUT=$RUNDIR/jspub.out
	perf_start
	run "$OUT" bench js pub async bench.js --size "$1" --clients "$2" --msgs "$MSGS" --no-progress
	perf_stop
	RATE=$(rate "$OUT")
}
measure_js_async_128() { js_async 128B 1 "$JS_ASYNC_MSGS" "$JS_ASYNC_ALWAYS_MSGS"; }
measure_js_async_128x4() { js_async 128B 4 "$JS_ASYNC_MSGS" "$JS_ASYNC_ALWAYS_MSGS"; }
measure_js_async_4k() { js_async 4KiB 1 "$JS_4K_MSGS" "$JS_4K_ALWAYS_MSGS"; }

measure_js_sync() {
	MSGS=$JS_SYNC_MSGS
	js_stream || return 0
	OUT=$RUNDIR/jssync.out
	perf_start
	run "$OUT" bench js pub sync bench.js --size 128B --msgs "$MSGS" --no-progress
	perf_stop
	RATE=$(rate "$OUT")
}

js_read() { # OUTNAME MSGS MSGS-FOR-hf-and-nsA nats-bench-js-args...
	local name=$1
	MSGS=$2
	[[ $COL == hf || $COL == nsA ]] && MSGS=$3
	shift 3
	js_stream || return 0
	# untimed prefill of MSGS messages of 128 B
	run "$RUNDIR/prefill.out" bench js pub async bench.js --size 128B --msgs "$MSGS" --no-progress
	OUT=$RUNDIR/prefill.out
	[[ $(rate "$OUT") == fail ]] && return 0
	OUT=$RUNDIR/$name.out
	perf_start
	T=$READ_TIMEOUT run "$OUT" bench js "$@" --msgs "$MSGS" --size 128B --no-progress
	perf_stop
	RATE=$(rate "$OUT")
}
measure_js_consume() { js_read consume "$JS_READ_MSGS" "$JS_ACKED_MSGS" consume; }
measure_js_fetch() { js_read fetch "$JS_READ_MSGS" "$JS_ACKED_MSGS" fetch; }
measure_js_ordered() { js_read ordered "$JS_READ_MSGS" "$JS_READ_MSGS" ordered; }
measure_js_get() { js_read get "$JS_GET_MSGS" "$JS_GET_MSGS" get sync; }
measure_js_get_batch() { js_read getbatch "$JS_READ_MSGS" "$JS_READ_MSGS" get batch; }

measure_kv_put() {
	MSGS=$KV_MSGS OUT=$RUNDIR/kvput.out
	perf_start
	run "$OUT" bench kv put --storage file --msgs "$KV_MSGS" --size 128B --no-progress
	perf_stop
	RATE=$(rate "$OUT")
}
measure_kv_get() {
	MSGS=$KV_GET_MSGS OUT=$RUNDIR/kvfill.out
	run "$OUT" bench kv put --storage file --msgs "$KV_KEYS" --size 128B --no-progress
	[[ $(rate "$OUT") == fail ]] && return 0
	OUT=$RUNDIR/kvget.out
	perf_start
	T=$READ_TIMEOUT run "$OUT" bench kv get --msgs "$KV_GET_MSGS" --randomize "$KV_KEYS" --size 128B --no-progress
	perf_stop
	RATE=$(rate "$OUT")
}

# ---- rows --------------------------------------------------------------------

# Columns: hf = holdfast default (fsync before every ack), hf2m = holdfast
# sync_interval 2m, ns = nats-server default (sync every 2m), nsA = nats-server
# sync_interval always.
col_kind() { [[ $1 == hf* ]] && echo hf || echo ns; }
col_sync() {
	case $1 in
	hf2m) echo 2m ;;
	nsA) echo always ;;
	*) echo "" ;;
	esac
}
ORDER=(ns hf nsA hf2m) # odd rounds; even rounds run the reverse

W='hf hf2m ns nsA' # rows that write (messages or acks): every column
R='hf ns'          # rows that only read, and core: the defaults

# id|label|jetstream|columns|function|targets (ratio:minimum, issue 8)
rows() {
	cat <<EOF
core-pubsub|core pub→sub 128 B, 1 pub + 1 sub (subscriber rate)|0|$R|measure_core_pubsub|hf/ns:1.0
core-pub|core pub only 128 B, 1 pub, no subscriber|0|$R|measure_core_pub|
core-req|core request/reply 128 B, 1 requester + 1 service|0|$R|measure_core_req|
js-async-128|JS async publish, file, 128 B, 1 client|1|$W|measure_js_async_128|hf/ns:1.0
js-async-128x4|JS async publish, file, 128 B, 4 clients|1|$W|measure_js_async_128x4|hf/ns:1.0
js-async-4k|JS async publish, file, 4 KiB, 1 client|1|$W|measure_js_async_4k|hf/ns:1.0
js-sync|JS sync publish 128 B, 1 in flight|1|$W|measure_js_sync|hf/nsA:1.3 hf2m/ns:1.0
js-consume|JS durable consume (callback) 128 B, explicit acks|1|$W|measure_js_consume|hf/ns:1.0
js-fetch|JS durable fetch 128 B, explicit acks|1|$W|measure_js_fetch|hf/ns:1.0
js-ordered|JS ordered consume 128 B|1|$R|measure_js_ordered|hf/ns:1.0
js-get|JS direct get, sync, 128 B|1|$R|measure_js_get|hf/ns:1.0
js-get-batch|JS direct get, batched, 128 B|1|$R|measure_js_get_batch|hf/ns:1.0
kv-put|KV put 128 B (sync, 1 in flight)|1|$W|measure_kv_put|
kv-get|KV get 128 B (random over $KV_KEYS keys)|1|$R|measure_kv_get|
EOF
}

# Does holdfast serve JetStream? Its INFO must announce it and the API must answer.
HF_JS=0 HF_JS_WHY=
start_server hf 1 ""
if ! info_jetstream; then
	HF_JS_WHY="holdfast INFO does not announce JetStream"
elif ! nats_ stream ls >"$RUNDIR/ls.out" 2>&1; then
	HF_JS_WHY="holdfast JetStream API: $(reason "$RUNDIR/ls.out")"
else
	HF_JS=1
fi
stop_server
log "holdfast jetstream: $([[ $HF_JS == 1 ]] && echo yes || echo "no ($HF_JS_WHY)")"

# id, round, column, msgs/s, peak RSS MiB, end RSS MiB, server CPU ms, fsyncs, msgs, reason
RESULTS=$WORK/results.tsv
: >"$RESULTS"
declare -A GAVE_UP # id/col -> reason, for JetStream measurements that failed once

measure() { # COL ID JS FN ROUND
	local id=$2 js=$3 fn=$4 round=$5 why= cpu=- syncs=-
	COL=$1
	start_server "$(col_kind "$COL")" "$js" "$(col_sync "$COL")"
	RATE=fail OUT=$RUNDIR/none MSGS=0
	rm -f "$RUNDIR/perf.stat"
	$fn
	stop_server
	if [[ -s $RUNDIR/perf.stat ]]; then
		cpu=$(perf_count task-clock)
		syncs=$(awk -v a="$(perf_count syscalls:sys_enter_fdatasync)" -v b="$(perf_count syscalls:sys_enter_fsync)" \
			'BEGIN {print a + b}')
	fi
	if [[ $RATE == fail ]]; then
		why=$(reason "$OUT")
		log "round $round  $id  $COL  failed: $why ($RUNDIR)"
		if [[ $js == 1 ]]; then GAVE_UP[$id/$COL]=$why; fi
	else
		log "round $round  $id  $COL  $RATE msgs/s  RSS $RSS_END MiB (peak $RSS)  cpu ${cpu} ms  fsyncs $syncs"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$round" "$COL" "$RATE" "$RSS" "$RSS_END" \
		"$cpu" "$syncs" "$MSGS" "$why" >>"$RESULTS"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
for round in $(seq "$ROUNDS"); do
	while IFS='|' read -r -u 3 id label js cols fn targets; do
		[[ $id =~ $ROWS ]] || continue
		order=("${ORDER[@]}")
		if ((round % 2 == 0)); then order=(hf2m nsA hf ns); fi
		for col in "${order[@]}"; do
			[[ " $cols " == *" $col "* ]] || continue
			if [[ $js == 1 && $col == hf* && $HF_JS == 0 ]]; then continue; fi
			if [[ -n ${GAVE_UP[$id/$col]:-} ]]; then continue; fi
			measure "$col" "$id" "$js" "$fn" "$round"
		done
	done 3< <(rows)
done
elapsed=$(($(date +%s) - started))
log "measured in $elapsed s"

# ---- tables ------------------------------------------------------------------

# median of the numbers on stdin ("fail", "-" and "?" ignored); prints "-" for none.
median() {
	awk '/^[0-9.]+$/' | sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.10g\n", m }'
}

col() { # ID COL FIELD
	awk -F'\t' -v id="$1" -v k="$2" -v f="$3" '$1 == id && $3 == k {print $f}' "$RESULTS"
}

okcol() { # ID COL FIELD, only from rounds that succeeded
	awk -F'\t' -v id="$1" -v k="$2" -v f="$3" '$1 == id && $3 == k && $4 ~ /^[0-9.]+$/ {print $f}' "$RESULTS"
}

round_to() { # DECIMALS: a number on stdin rounded, or the text as is
	local v
	v=$(cat)
	if [[ $v =~ ^[0-9.]+$ ]]; then printf "%.${1}f" "$v"; else printf '%s' "$v"; fi
}

# derived ID COL WHAT: per-round cpu µs/msg, fsyncs/s or msgs per fsync.
derived() {
	awk -F'\t' -v id="$1" -v k="$2" -v w="$3" '$1 == id && $3 == k && $4 ~ /^[0-9.]+$/ && $7 ~ /^[0-9.]+$/ && $9 > 0 {
		if (w == "cpu") printf "%.2f\n", $7 * 1000 / $9
		else if (w == "syncps") printf "%.0f\n", $8 * $4 / $9
		else if (w == "perfsync" && $8 > 0) printf "%.1f\n", $9 / $8 }' "$RESULTS"
}

# ratios ID A B prints A/B for each round where both columns succeeded.
ratios() {
	awk -F'\t' -v id="$1" -v a="$2" -v b="$3" '$1 == id && $4 ~ /^[0-9.]+$/ {v[$2, $3] = $4; r[$2] = 1}
		END {for (x in r) if (((x, a) in v) && ((x, b) in v) && v[x, b] > 0)
			printf "%.4f\n", v[x, a] / v[x, b]}' "$RESULTS"
}

fmt() { # a number with thousands separators, or the text as is
	if [[ $1 =~ ^[0-9.]+$ ]]; then
		printf '%.0f' "$1" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta'
	else
		printf '%s' "$1"
	fi
}

# cell ID COL JS COLS: the median msgs/s of a column, or why there is none.
cell() {
	local id=$1 c=$2 js=$3 cols=$4 m n fails why
	if [[ " $cols " != *" $c "* ]]; then
		echo "–"
		return
	fi
	if [[ $js == 1 && $c == hf* && $HF_JS == 0 ]]; then
		echo "n/a ($HF_JS_WHY)"
		return
	fi
	m=$(col "$id" "$c" 4 | median)
	fails=$(col "$id" "$c" 4 | grep -c fail || true)
	if [[ $m == - ]]; then
		why=$(col "$id" "$c" 10 | grep -v '^$' | head -1)
		echo "n/a (${why:-not run})"
		return
	fi
	n=$(fmt "$m")
	if ((fails > 0)); then n="$n ($fails failed)"; fi
	echo "$n"
}

# ratio_cell ID A B TARGETS: median pairwise ratio A/B, checked against a target.
ratio_cell() {
	local r t
	r=$(ratios "$1" "$2" "$3" | median)
	if [[ $r == - ]]; then
		echo "–"
		return
	fi
	t=$(tr ' ' '\n' <<<"$4" | awk -F: -v k="$2/$3" '$1 == k {print $2}')
	if [[ -n $t ]]; then
		if awk -v r="$r" -v t="$t" 'BEGIN {exit !(r + 0 >= t + 0)}'; then
			printf '%.2f× ✓ (≥ %s)' "$r" "$t"
		else
			printf '%.2f× ✗ (≥ %s)' "$r" "$t"
		fi
	else
		printf '%.2f×' "$r"
	fi
}

# quad ID COLS FN: "hf / hf2m / ns / nsA" of FN ID COL, "–" where not run.
quad() {
	local id=$1 cols=$2 fn=$3 c v out=()
	for c in hf hf2m ns nsA; do
		if [[ " $cols " == *" $c "* ]]; then v=$($fn "$id" "$c"); else v="–"; fi
		out+=("$v")
	done
	local IFS=/
	echo "${out[*]}" | sed 's|/| / |g'
}
rss_end() { okcol "$1" "$2" 6 | median | round_to 0; }
rss_peak() { okcol "$1" "$2" 5 | median | round_to 0; }
cpu_us() { derived "$1" "$2" cpu | median | round_to 1; }
syncs_ps() {
	local v
	v=$(derived "$1" "$2" syncps | median)
	[[ $v == - ]] && echo - || fmt "$v"
}
per_sync() {
	local v
	if [[ $(derived "$1" "$2" cpu | median) == - ]]; then
		echo - # no successful round with perf data
		return
	fi
	v=$(derived "$1" "$2" perfsync | median)
	if [[ $v == - ]]; then
		echo "no fsync"
	elif awk -v v="$v" 'BEGIN {exit !(v < 10)}'; then
		printf '%.1f' "$v"
	else
		fmt "$v"
	fi
}

echo
echo "nats-server $("$NATS_SERVER" --version 2>&1 | head -1 | awk '{print $NF}') vs holdfast $HOLDFAST_REV," \
	"nats CLI $("$NATS" --version 2>&1), $ROUNDS rounds, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs," \
	"load average $LOAD_START at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end, measured in $elapsed s"
echo
echo "msgs/s, median over rounds; ratios are the median of per-round ratios; hf = holdfast, ns = nats-server;"
echo "default sync: holdfast fsyncs before every ack, nats-server every 2 minutes."
echo
echo "| row | holdfast default | holdfast sync 2m | nats-server default | nats-server sync always | hf / ns | hf / ns always | hf 2m / ns |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
while IFS='|' read -r id label js cols _ targets; do
	[[ $id =~ $ROWS ]] || continue
	echo "| $label | $(cell "$id" hf "$js" "$cols") | $(cell "$id" hf2m "$js" "$cols") |" \
		"$(cell "$id" ns "$js" "$cols") | $(cell "$id" nsA "$js" "$cols") |" \
		"$(ratio_cell "$id" hf ns "$targets") | $(ratio_cell "$id" hf nsA "$targets") |" \
		"$(ratio_cell "$id" hf2m ns "$targets") |"
done < <(rows)
echo
echo "Server resources, medians, each as holdfast default / holdfast 2m / nats-server default / nats-server always:"
echo "RSS at the end of the timed run and peak RSS (VmRSS, VmHWM), server CPU per message and fsync+fdatasync"
echo "calls (perf stat on the server process during the timed command; '-' without perf)."
echo
echo "| row | RSS after run MiB | peak RSS MiB | server CPU µs/msg | fsyncs/s | msgs per fsync |"
echo "|---|---|---|---|---|---|"
while IFS='|' read -r id label js cols _ _; do
	[[ $id =~ $ROWS ]] || continue
	echo "| $label | $(quad "$id" "$cols" rss_end) | $(quad "$id" "$cols" rss_peak) | $(quad "$id" "$cols" cpu_us) |" \
		"$(quad "$id" "$cols" syncs_ps) | $(quad "$id" "$cols" per_sync) |"
done < <(rows)
