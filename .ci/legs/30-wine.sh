#!/usr/bin/env bash
# Leg: Windows (win-x64, self-contained) under Wine 10. Installs Wine once into a cached debootstrap chroot
# (.ci/wine-root.sh: ~2 min, ~1.2 GB at /opt/nativeipc-wine), publishes the demo, the test app and the NUnit suite
# (tests/NativeIpc.TestRunner: the suite as a program, since `dotnet test` cannot drive a Windows testhost here),
# runs the seed examples and the whole suite under Wine, and appends "wine <passed> <failed> <skipped>":
# the suite's counts plus one for the seed examples. Cost: install ~1.5 min once (a fresh machine), publishes
# ~1 min idle (8 min on a 2-core machine at load 40), suite ~11 min at load 40 (330 tests); ~1.4 GB of disk with the
# chroot. Same contract as every leg (see 10-aot.sh).
set -uo pipefail
passed=0; failed=0; skipped=0
wr=.ci/wine-root.sh
trap '"$wr" down' EXIT

if ! "$wr" install; then
  echo "Wine install: FAILED"; echo "wine 0 1 0" >> "$CI_RESULTS"; exit 1
fi

pub=$(mktemp -d)
# NativeIpcReadyToRun=false: a library referenced by a win-x64 app is still built for this Linux host (the SDK does not
# pass the app's runtime identifier to library references), and a Linux ReadyToRun image does not load on Windows.
publish() { dotnet publish "$1" -c Release -r win-x64 --self-contained -p:NativeIpcReadyToRun=false -o "$2" >>"$pub.log" 2>&1; }
if ! { publish samples/Demo/Demo.csproj "$pub/demo" && publish tests/NativeIpc.TestRunner/NativeIpc.TestRunner.csproj "$pub/tests" \
       && publish tests/NativeIpc.TestApp/NativeIpc.TestApp.csproj "$pub/tests"; }; then
  grep -E 'error|warn' "$pub.log" | tail -30; echo "win-x64 publish: FAILED"
  rm -rf "$pub" "$pub.log"; echo "wine 0 1 0" >> "$CI_RESULTS"; exit 1
fi

# Seed examples: the same output checks as the NativeAOT leg (.ci/seed-checks.sh).
out=$("$wr" run "$pub/demo" 300 wine ./NativeIpc.Demo.exe process queue pipe shared-memory pool lock manager 2>&1 \
      | tr -d '\r' | grep -v 'XDG_RUNTIME_DIR')
echo "$out"
ok=1; printf '%s\n' "$out" | .ci/seed-checks.sh || ok=0
if [ $ok = 1 ]; then echo "Wine demo: ok"; passed=$((passed + 1)); else echo "Wine demo: FAILED"; failed=$((failed + 1)); fi

# The suite: one line per test, then "N passed, N failed, N skipped" (only the low 8 bits of an exit code reach the
# shell, so the counts come from that line, never from the exit code).
log="$pub/tests.log"
"$wr" run "$pub/tests" 1500 wine ./NativeIpc.Tests.exe 2>&1 | sed -u 's/\r//g' | grep --line-buffered -v 'XDG_RUNTIME_DIR' > "$log"
grep -vE '^(pass|skip) ' "$log" | tail -200
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1)
if [ -n "$line" ]; then
  read -r p _ f _ s _ <<< "$line"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  echo "Wine suite: $line"
else
  echo "Wine suite: no summary line (crashed or timed out) after $(grep -cE '^(pass|FAIL|skip) ' "$log") tests"
  failed=$((failed + 1))
fi
rm -rf "$pub" "$pub.log"
echo "wine $passed $failed $skipped" >> "$CI_RESULTS"
