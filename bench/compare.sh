#!/usr/bin/env bash
# compare.sh runs the same `nats bench` commands against nats-server and
# holdfast on this machine and prints a markdown table of medians.
#
# Each measurement gets a freshly started server on 127.0.0.1 (port -1: the
# kernel picks a free port, read back from the server's log) with a config file
# that differs between the two servers only where a row says so (sync_interval).
# Within a round the two servers take turns going first, so that neither always
# runs on a warmer or a busier machine. Data (configs, logs, JetStream stores)
# lives under one temporary directory that is removed on exit, and every server
# started here is stopped on exit.
#
# Environment:
#   ROUNDS=3          rounds per row
#   ROWS=regex        run only rows whose id matches (ids: see `rows` below)
#   KEEP=1            keep the temporary directory (logs, stores) and print it
#   NATS, NATS_SERVER, HOLDFAST   binaries (default: .tools/ and bin/)
#   *_MSGS            message counts per row (see below)
# Progress goes to stderr, the table to stdout.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-.}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NATS=${NATS:-$ROOT/.tools/nats}
NATS_SERVER=${NATS_SERVER:-$ROOT/.tools/nats-server}
HOLDFAST=${HOLDFAST:-$ROOT/bin/holdfast}
TIMEOUT=${TIMEOUT:-90} # seconds any one nats bench command may take

# Message counts: each run should take a few seconds on a 2-core machine.
CORE_MSGS=${CORE_MSGS:-1000000}
PUB_MSGS=${PUB_MSGS:-3000000}
REQ_MSGS=${REQ_MSGS:-20000}
JS_ASYNC_MSGS=${JS_ASYNC_MSGS:-200000}
JS_4K_MSGS=${JS_4K_MSGS:-50000}
JS_SYNC_MSGS=${JS_SYNC_MSGS:-15000}
JS_READ_MSGS=${JS_READ_MSGS:-100000}
JS_GET_MSGS=${JS_GET_MSGS:-20000}
KV_MSGS=${KV_MSGS:-20000}

NA_JS="n/a (holdfast JetStream not implemented yet)"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ ! -x $NATS || ! -x $NATS_SERVER || ! -x $HOLDFAST ]]; then
	log "building peers and holdfast (make tools build)"
	make -C "$ROOT" tools build >&2
fi

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
		SERVER_PORT=$(grep -Eo "$pattern" "$RUNDIR/server.log" | grep -Eo '[0-9]+$' | head -1 || true)
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

# stop_server stops the server, leaving its peak RSS in MiB in RSS.
stop_server() {
	RSS=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status" 2>/dev/null || true)
	RSS=${RSS:-?}
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

# ---- measurements ----------------------------------------------------------

nats_() { timeout "$TIMEOUT" "$NATS" --no-context -s "$SERVER_URL" "$@" </dev/null; }

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

# wait_for FILE TEXT waits (up to 10 s) for TEXT to appear in FILE.
wait_for() {
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Each measure_* runs against SERVER_URL, leaves output in RUNDIR and sets RATE
# (msgs/s, or "fail").

measure_core_pubsub() {
	nats_ bench sub bench.core --msgs "$CORE_MSGS" --size 128B --no-progress >"$RUNDIR/sub.out" 2>&1 &
	local sp=$!
	HELPER_PIDS+=("$sp")
	wait_for "$RUNDIR/sub.out" "Starting Core NATS subscriber" || true
	sleep 0.5 # the line is printed just before SUB and its flush
	nats_ bench pub bench.core --msgs "$CORE_MSGS" --size 128B --no-progress >"$RUNDIR/pub.out" 2>&1 || true
	wait "$sp" || true
	forget HELPER_PIDS "$sp"
	RATE=$(rate "$RUNDIR/sub.out")
}

measure_core_pub() {
	nats_ bench pub bench.pubonly --msgs "$PUB_MSGS" --size 128B --no-progress >"$RUNDIR/pub.out" 2>&1 || true
	RATE=$(rate "$RUNDIR/pub.out")
}

measure_core_req() {
	nats_ bench service serve bench.svc --size 128B --no-progress >"$RUNDIR/serve.out" 2>&1 &
	local sp=$!
	HELPER_PIDS+=("$sp")
	wait_for "$RUNDIR/serve.out" "Starting Core NATS service server" || true
	sleep 0.5
	nats_ bench service request bench.svc --msgs "$REQ_MSGS" --size 128B --no-progress >"$RUNDIR/req.out" 2>&1 || true
	stop_pid "$sp"
	forget HELPER_PIDS "$sp"
	RATE=$(rate "$RUNDIR/req.out")
}

js_async() { # SIZE CLIENTS MSGS
	nats_ bench js pub async bench.js --create --storage file --size "$1" --clients "$2" --msgs "$3" \
		--no-progress >"$RUNDIR/jspub.out" 2>&1 || true
	RATE=$(rate "$RUNDIR/jspub.out")
}
measure_js_async_128() { js_async 128B 1 "$JS_ASYNC_MSGS"; }
measure_js_async_128x4() { js_async 128B 4 "$JS_ASYNC_MSGS"; }
measure_js_async_4k() { js_async 4KiB 1 "$JS_4K_MSGS"; }

measure_js_sync() {
	nats_ bench js pub sync bench.js --create --storage file --size 128B --msgs "$JS_SYNC_MSGS" \
		--no-progress >"$RUNDIR/jssync.out" 2>&1 || true
	RATE=$(rate "$RUNDIR/jssync.out")
}

# prefill N stores N messages of 128 B in the stream the read rows use (untimed).
prefill() {
	nats_ bench js pub async bench.js --create --storage file --size 128B --msgs "$1" \
		--no-progress >"$RUNDIR/prefill.out" 2>&1 || true
}

js_read() { # OUTNAME MSGS nats-bench-args...
	local name=$1 msgs=$2
	shift 2
	prefill "$msgs"
	nats_ bench js "$@" --msgs "$msgs" --size 128B --no-progress >"$RUNDIR/$name.out" 2>&1 || true
	RATE=$(rate "$RUNDIR/$name.out")
}
measure_js_consume() { js_read consume "$JS_READ_MSGS" consume; }
measure_js_fetch() { js_read fetch "$JS_READ_MSGS" fetch; }
measure_js_ordered() { js_read ordered "$JS_READ_MSGS" ordered; }
measure_js_get() { js_read get "$JS_GET_MSGS" get sync; }
measure_js_get_batch() { js_read getbatch "$JS_READ_MSGS" get batch; }

measure_kv_put() {
	nats_ bench kv put --storage file --msgs "$KV_MSGS" --size 128B --no-progress >"$RUNDIR/kvput.out" 2>&1 || true
	RATE=$(rate "$RUNDIR/kvput.out")
}
measure_kv_get() {
	nats_ bench kv put --storage file --msgs "$KV_MSGS" --size 128B --no-progress >"$RUNDIR/kvfill.out" 2>&1 || true
	nats_ bench kv get --msgs "$KV_MSGS" --size 128B --no-progress >"$RUNDIR/kvget.out" 2>&1 || true
	RATE=$(rate "$RUNDIR/kvget.out")
}

# ---- rows --------------------------------------------------------------------

# id|label|jetstream|nats-server sync_interval|holdfast sync_interval|function
# An empty sync_interval leaves the server's default: nats-server syncs every
# 2m, holdfast syncs before every ack.
rows() {
	cat <<'EOF'
core-pubsub|core pub→sub 128 B, 1 pub + 1 sub (subscriber rate)|0|||measure_core_pubsub
core-pub|core pub only 128 B, 1 pub, no subscriber|0|||measure_core_pub
core-req|core request/reply 128 B, 1 requester + 1 service|0|||measure_core_req
js-async-128|JS async publish, file, 128 B, 1 client|1|||measure_js_async_128
js-async-128x4|JS async publish, file, 128 B, 4 clients|1|||measure_js_async_128x4
js-async-4k|JS async publish, file, 4 KiB, 1 client|1|||measure_js_async_4k
js-sync-durable|JS sync publish 128 B (ns sync always vs hf default)|1|always||measure_js_sync
js-sync-lazy|JS sync publish 128 B (ns default vs hf sync 2m)|1||2m|measure_js_sync
js-consume|JS durable consume (callback) 128 B|1|||measure_js_consume
js-fetch|JS durable fetch 128 B|1|||measure_js_fetch
js-ordered|JS ordered consume 128 B|1|||measure_js_ordered
js-get|JS direct get, sync, 128 B|1|||measure_js_get
js-get-batch|JS direct get, batched, 128 B|1|||measure_js_get_batch
kv-put|KV put 128 B|1|||measure_kv_put
kv-get|KV get 128 B|1|||measure_kv_get
EOF
}

# Does holdfast serve JetStream? Its INFO must announce it and the API must answer.
HF_JS=0
start_server hf 1 ""
if info_jetstream && nats_ stream ls >/dev/null 2>&1; then
	HF_JS=1
fi
stop_server
log "holdfast jetstream: $([[ $HF_JS == 1 ]] && echo yes || echo no)"

RESULTS=$WORK/results.tsv # id, round, kind, msgs/s, peak RSS MiB
: >"$RESULTS"

measure() { # KIND ID JS SYNC FN ROUND
	local kind=$1 id=$2 js=$3 sync=$4 fn=$5 round=$6
	start_server "$kind" "$js" "$sync"
	RATE=fail
	$fn
	stop_server
	log "round $round  $id  $kind  $RATE msgs/s  peak RSS $RSS MiB"
	if [[ $RATE == fail ]]; then log "  failed: see $RUNDIR (KEEP=1 keeps it)"; fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$round" "$kind" "$RATE" "$RSS" >>"$RESULTS"
}

started=$(date +%s)
for round in $(seq "$ROUNDS"); do
	while IFS='|' read -r -u 3 id label js nssync hfsync fn; do
		[[ $id =~ $ROWS ]] || continue
		order=(ns hf)
		if ((round % 2 == 0)); then order=(hf ns); fi
		for kind in "${order[@]}"; do
			if [[ $kind == hf && $js == 1 && $HF_JS == 0 ]]; then
				continue
			fi
			sync=$nssync
			[[ $kind == hf ]] && sync=$hfsync
			measure "$kind" "$id" "$js" "$sync" "$fn" "$round"
		done
	done 3< <(rows)
done
log "measured in $(($(date +%s) - started)) s"

# ---- table -------------------------------------------------------------------

# median of the numbers on stdin ("fail" and "?" ignored); prints "-" for none.
median() {
	awk '/^[0-9.]+$/' | sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

col() { # ID KIND FIELD
	awk -F'\t' -v id="$1" -v k="$2" -v f="$3" '$1 == id && $3 == k {print $f}' "$RESULTS"
}

# ratios ID prints hf/ns for each round where both succeeded.
ratios() {
	awk -F'\t' -v id="$1" '$1 == id && $4 ~ /^[0-9.]+$/ {v[$2, $3] = $4; r[$2] = 1}
		END {for (x in r) if (((x, "ns") in v) && ((x, "hf") in v) && v[x, "ns"] > 0)
			printf "%.4f\n", v[x, "hf"] / v[x, "ns"]}' "$RESULTS"
}

fmt() { # a number with thousands separators, or the text as is
	if [[ $1 =~ ^[0-9.]+$ ]]; then
		printf '%.0f' "$1" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta'
	else
		printf '%s' "$1"
	fi
}
echo
echo "nats-server $("$NATS_SERVER" --version 2>&1 | head -1 | awk '{print $NF}') vs holdfast $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), nats CLI $("$NATS" --version 2>&1), $ROUNDS rounds, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
echo
echo "| row | nats-server msgs/s (median) | holdfast msgs/s (median) | holdfast / nats-server (median of pairwise ratios) |"
echo "|---|---:|---:|---:|"
while IFS='|' read -r id label js _ _ _; do
	[[ $id =~ $ROWS ]] || continue
	ns=$(col "$id" ns 4 | median)
	if [[ $js == 1 && $HF_JS == 0 ]]; then
		hf=$NA_JS ratio=n/a
	else
		hf=$(col "$id" hf 4 | median)
		ratio=$(ratios "$id" | median)
		[[ $ratio != - ]] && ratio=$(printf '%.2f×' "$ratio")
	fi
	echo "| $label | $(fmt "$ns") | $(fmt "$hf") | $ratio |"
done < <(rows)
echo
echo "| row | nats-server peak RSS MiB (median) | holdfast peak RSS MiB (median) |"
echo "|---|---:|---:|"
while IFS='|' read -r id label js _ _ _; do
	[[ $id =~ $ROWS ]] || continue
	hf=$(col "$id" hf 5 | median)
	[[ $js == 1 && $HF_JS == 0 ]] && hf=n/a
	echo "| $label | $(col "$id" ns 5 | median) | $hf |"
done < <(rows)
