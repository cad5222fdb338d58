#!/usr/bin/env bash
# profile.sh profiles one server during one JetStream `nats bench` command, the
# way docs/benchmarks.md "Where the time goes" was measured.
#
#   ./bench/profile.sh ROW            ROW: async async4 async4k sync consume fetch
#                                          ordered get getbatch kvput kvget
#   SERVER=ns ./bench/profile.sh ROW  the same against nats-server
#   SYNC=2m|always                    sync_interval (default: the server's)
#   MSGS=n                            messages in the profiled command
#
# It starts the server on 127.0.0.1 with a store in a temporary directory,
# creates the stream as compare.sh does, prefills it for the read rows, and
# runs the command three times: under `perf stat` (server CPU, syscalls), under
# `perf record -g` (flat and cumulative profiles, printed) and, for the rows
# that sync, under `perf trace -s` (fdatasync/fsync latency). Everything it
# starts is stopped by pid; KEEP=1 keeps the directory with perf.data.
set -euo pipefail

ROW=${1:?usage: profile.sh ROW}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NATS=${NATS:-$ROOT/.tools/nats}
NATS_SERVER=${NATS_SERVER:-$ROOT/.tools/nats-server}
HOLDFAST=${HOLDFAST:-$ROOT/bin/holdfast}
SERVER=${SERVER:-hf}
SYNC=${SYNC:-}
TOP=${TOP:-30}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/holdfast-profile.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [[ ${KEEP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

{
	echo "host: 127.0.0.1"
	echo "port: -1"
	echo "jetstream {"
	echo "  store_dir: \"$WORK/store\""
	if [[ -n $SYNC ]]; then echo "  sync_interval: \"$SYNC\""; fi
	echo "}"
} >"$WORK/server.conf"
case $SERVER in
ns) bin=$NATS_SERVER pattern='Listening for client connections on 127.0.0.1:[0-9]+' ;;
hf) bin=$HOLDFAST pattern='listening for client connections.*addr=127.0.0.1:[0-9]+' ;;
*) echo "SERVER is hf or ns" >&2 && exit 2 ;;
esac
"$bin" -c "$WORK/server.conf" </dev/null >"$WORK/server.log" 2>&1 &
PID=$!
PIDS+=("$PID")
port=
for _ in $(seq 100); do
	port=$(grep -Eo "$pattern" "$WORK/server.log" | grep -Eo '[0-9]+$' | head -1 || true)
	[[ -n $port ]] && break
	sleep 0.05
done
[[ -n $port ]] || { cat "$WORK/server.log" >&2; exit 1; }
nats_() { timeout 120 "$NATS" --no-context -s "nats://127.0.0.1:$port" "$@" </dev/null; }

nats_ stream add benchstream --subjects bench.js --storage file --retention limits --discard new \
	--max-bytes 1GB --dupe-window 2m --allow-direct --replicas 1 --defaults >/dev/null

prefill() { nats_ bench js pub async bench.js --size 128B --msgs "$1" --no-progress >/dev/null 2>&1; }

# cmd prints the nats bench arguments of ROW; read rows prefill first.
case $ROW in
async) cmd=(bench js pub async bench.js --size 128B --msgs "${MSGS:-300000}") ;;
async4) cmd=(bench js pub async bench.js --size 128B --clients 4 --msgs "${MSGS:-300000}") ;;
async4k) cmd=(bench js pub async bench.js --size 4KiB --msgs "${MSGS:-80000}") ;;
sync) cmd=(bench js pub sync bench.js --size 128B --msgs "${MSGS:-5000}") ;;
kvput) cmd=(bench kv put --storage file --size 128B --msgs "${MSGS:-5000}") ;;
kvget)
	nats_ bench kv put --storage file --size 128B --msgs 2000 --no-progress >/dev/null 2>&1
	cmd=(bench kv get --randomize 2000 --size 128B --msgs "${MSGS:-20000}")
	;;
consume | fetch | ordered | get | getbatch)
	n=${MSGS:-100000}
	case $ROW in get) n=${MSGS:-20000} ;; consume | fetch) [[ $SERVER == hf && -z $SYNC ]] && n=${MSGS:-5000} ;; esac
	case $ROW in get) sub=(get sync) ;; getbatch) sub=(get batch) ;; *) sub=("$ROW") ;; esac
	cmd=(bench js "${sub[@]}" --size 128B --msgs "$n")
	;;
*) echo "unknown row $ROW" >&2 && exit 2 ;;
esac

# run_under TOOL ARGS...: TOOL attached to the server around one run of cmd.
run_under() {
	local p
	case $ROW in consume | fetch | ordered | get | getbatch) prefill "${cmd[-1]}" ;; esac
	"$@" -p "$PID" >"$WORK/tool.out" 2>&1 &
	p=$!
	PIDS+=("$p")
	sleep 0.3
	nats_ "${cmd[@]}" --no-progress 2>&1 | grep -E 'stats:' | tail -1 || true
	kill -INT "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

echo "== $SERVER ${SYNC:+sync_interval $SYNC }nats ${cmd[*]}"
echo "-- perf stat (server process, whole run)"
run_under perf stat -e task-clock,context-switches,page-faults,syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync,syscalls:sys_enter_pwrite64,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_read,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_pwait
grep -E '^ +[0-9<]' "$WORK/tool.out" || cat "$WORK/tool.out"

echo "-- perf record -g: self time, top $TOP"
run_under perf record -F 1999 -g -o "$WORK/perf.data"
perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
	grep -E '^ +[0-9]' | head -"$TOP" | sed -E 's/[ -]+$//' || true
echo "-- perf record -g: cumulative (children), holdfast/runtime/syscall frames, top $TOP"
perf report -i "$WORK/perf.data" --children --sort symbol --stdio 2>/dev/null |
	grep -E '^ +[0-9]' | grep -E 'holdfast|runtime\.|syscall|do_syscall|fdatasync|nats-server|server\.' |
	head -"$TOP" | sed -E 's/[ -]+$//' || true

case $ROW in
async | async4 | async4k | sync | kvput | consume | fetch)
	echo "-- perf trace -s: syscall latency summary (fsync/fdatasync/pwrite64)"
	run_under perf trace -s -e fdatasync,fsync,pwrite64
	grep -E 'fdatasync|fsync|pwrite64|syscall +calls|^ +[a-z_]+ +[0-9]' "$WORK/tool.out" | sort -u | head -20 || true
	;;
esac
