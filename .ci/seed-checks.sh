#!/usr/bin/env bash
# The seed article's examples, checked by their output: reads the demo's output on stdin
# (`NativeIpc.Demo process queue pipe shared-memory pool lock manager`) and exits 0 when every example printed what
# the seed says it prints. One copy for every leg that runs the demo (NativeAOT, Wine).
out=$(cat)
ok=0
[ "$(printf '%s\n' "$out" | grep -c 'Child process worker-[0-3] is running')" = 4 ] || { echo "seed check: process (4 workers)"; ok=1; }
printf '%s\n' "$out" | grep -qx 'Consumed 4' || { echo "seed check: queue (Consumed 4)"; ok=1; }
printf '%s\n' "$out" | grep -qx 'Received message: Hello from sender!' || { echo "seed check: pipe"; ok=1; }
printf '%s\n' "$out" | grep -qx '\[2, 4, 6\]' || { echo "seed check: shared memory"; ok=1; }
printf '%s\n' "$out" | grep -qx '\[0, 1, 4, 9, 16, 25, 36, 49, 64, 81\]' || { echo "seed check: pool"; ok=1; }
[ "$(printf '%s\n' "$out" | grep -c 'prints: [A-D]')" = 4 ] || { echo "seed check: lock (4 prints)"; ok=1; }
printf '%s\n' "$out" | grep -q 'Process-[0-9]*: value' || { echo "seed check: manager"; ok=1; }
exit $ok
