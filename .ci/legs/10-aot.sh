#!/usr/bin/env bash
# Leg: NativeAOT. Publishes the demo with PublishAot and runs the seed's examples (children are the same native binary).
# Contract for every leg: run from the repo root, print what it likes, and end by appending one line
# "<leg> <passed> <failed> <skipped>" to "$CI_RESULTS". Exit code is informational (.ci/run trusts the counts).
set -uo pipefail
passed=0; failed=0
aot_dir=$(mktemp -d)
if dotnet publish samples/Demo -c Release -r linux-x64 -p:PublishAot=true -p:SuppressTrimAnalysisWarnings=true \
     -p:TreatWarningsAsErrors=false -o "$aot_dir" >"$aot_dir.log" 2>&1; then
  out=$(cd / && timeout 120 "$aot_dir/NativeIpc.Demo" process queue pipe shared-memory pool lock manager 2>&1)
  echo "$out"
  ok=1; printf '%s\n' "$out" | .ci/seed-checks.sh || ok=0
  if [ $ok = 1 ]; then echo "NativeAOT demo: ok"; passed=1; else echo "NativeAOT demo: FAILED"; failed=1; fi
else
  tail -30 "$aot_dir.log"; echo "NativeAOT publish: FAILED"; failed=1
fi
rm -rf "$aot_dir" "$aot_dir.log"
echo "aot $passed $failed 0" >> "$CI_RESULTS"
