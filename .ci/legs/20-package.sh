#!/usr/bin/env bash
# Leg: package. Packs src/Ipc, restores the package from a local folder feed into a fresh console app outside the
# repo (.ci/package-consumer, copied to a temp dir with its own nuget.config), builds it under JIT (portable), publishes
# it for this runtime (-r, framework-dependent) and under NativeAOT, each with zero warnings, and runs the README quick
# start plus the AOT checks (a custom [IpcSerializer] type, a record through IpcQueue<T>, a MemoryPack record through
# NativeIpc.MemoryPack, a capturing lambda refused) in all three. The package's ReadyToRun images (runtimes/<rid>/lib/,
# src/ReadyToRun.targets) are checked as files, and in the JIT and -r apps as what the host loads and what a child
# then JIT-compiles before its target (the bound of ChildStartCostTests). One count per check; ~2-4 min on 2 cores.
set -uo pipefail
passed=0; failed=0
check() { if [ "$2" = 1 ]; then echo "package: $1 ok"; passed=$((passed + 1)); else echo "package: $1 FAILED"; failed=$((failed + 1)); fi; }
# Warnings of the build, less MemoryPack.Core's own (collapsed to one line per kind by Consumer.csproj, and shown).
warnings() { grep -E ': warning [A-Z]+[0-9]+' "$1" | grep -v "Assembly 'MemoryPack.Core' produced" | sort -u; }

work=$(mktemp -d)
ver="0.1.0-ci.$(date +%s)"   # a version never seen before: the global packages folder cannot hand back a stale copy
feed="$work/feed"; app="$work/app"
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac

ok=0
if dotnet pack src/Ipc -c Release -p:Version="$ver" -o "$feed" >"$work/pack.log" 2>&1 \
   && dotnet pack src/Ipc.MemoryPack -c Release -p:Version="$ver" -o "$feed" >>"$work/pack.log" 2>&1; then
  nupkg="$feed/NativeIpc.$ver.nupkg"
  listing=$(unzip -l "$nupkg" 2>/dev/null)
  nuspec=$(unzip -p "$nupkg" NativeIpc.nuspec 2>/dev/null)
  ok=1
  [ -f "$feed/NativeIpc.$ver.snupkg" ] && [ -f "$feed/NativeIpc.MemoryPack.$ver.nupkg" ] || ok=0
  for f in lib/net10.0/NativeIpc.dll lib/net10.0/NativeIpc.Platform.Unix.dll lib/net10.0/NativeIpc.Platform.Windows.dll README.md; do
    printf '%s\n' "$listing" | grep -q " $f\$" || { echo "missing in package: $f"; ok=0; }
  done
  printf '%s\n' "$nuspec" | grep -q 'NativeIpc\.Platform' && { echo "package depends on an unpublished platform package"; ok=0; }
  printf '%s\n' "$nuspec" | grep -q '<license type="expression">MIT</license>' || { echo "no licence expression"; ok=0; }
else
  tail -30 "$work/pack.log"
fi
check "pack (nupkg + snupkg, platform assemblies inside)" $ok
# The assemblies as packed, for the image checks once the consumer (which reads PE headers) is built.
mkdir -p "$work/pkg"; unzip -q -o "$nupkg" 'lib/*' 'runtimes/*' -d "$work/pkg" 2>/dev/null

mkdir -p "$app"
cp .ci/package-consumer/Program.cs .ci/package-consumer/Consumer.csproj "$app/"
sed -i "s/NATIVEIPC_VERSION/$ver/" "$app/Consumer.csproj"
# A folder of its own: no Directory.Build.props or central package versions from anything above it.
echo '<Project />' > "$app/Directory.Build.props"; echo '<Project />' > "$app/Directory.Build.targets"
echo '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>' > "$app/Directory.Packages.props"
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="nativeipc-local" value="$feed" />
  </packageSources>
</configuration>
XML

# Checks the output of one run: the quick start's four workers and exit codes, then the three AOT checks.
verify() {
  local mode=$1 out=$2 qs=1
  [ "$(printf '%s\n' "$out" | grep -cE '^worker-[0-3] got [0-3]$')" = 4 ] || qs=0
  printf '%s\n' "$out" | grep -qx '0, 0, 0, 0' || qs=0
  check "$mode quick start" $qs
  printf '%s\n' "$out" | grep -qx 'check serializer: 30,40 exit 0'; check "$mode custom [IpcSerializer] type" $((1 - $?))
  printf '%s\n' "$out" | grep -qx 'check record: 1:item1:1.5 2:item2:3 3:item3:4.5 exit 0'; check "$mode record through IpcQueue<T>" $((1 - $?))
  printf '%s\n' "$out" | grep -qx 'check memorypack: 1:p1 2:p2 3:p3 exit 0'; check "$mode MemoryPack record (NativeIpc.MemoryPack)" $((1 - $?))
  printf '%s\n' "$out" | grep -qx 'check capture: refused'; check "$mode capturing lambda refused" $((1 - $?))
  [ "$mode" = AOT ] && return   # compiled ahead of time: no images to load, nothing JIT-compiled
  printf '%s\n' "$out" | grep -qx "check images loaded: NativeIpc=ReadyToRun $rid NativeIpc.Platform.Unix=ReadyToRun $rid"
  check "$mode loads the ReadyToRun images for $rid" $((1 - $?))
  # The bound ChildStartCostTests holds the repository's own build to: ~150 methods with IL-only assemblies.
  local jit; jit=$(printf '%s\n' "$out" | sed -n 's/^check child jit: \([0-9]*\) methods, exit 0$/\1/p')
  [ -n "$jit" ] && [ "$jit" -lt 30 ]; check "$mode child JIT-compiles few methods before its target (${jit:-?} < 30)" $((1 - $?))
}

# JIT: build (warnings are errors, and counted), run the apphost from another directory.
ok=0
if (cd "$app" && dotnet build -c Release -o "$work/jit" >"$work/jit.log" 2>&1); then
  [ -z "$(warnings "$work/jit.log")" ] && ok=1
fi
warnings "$work/jit.log"; [ $ok = 1 ] || tail -30 "$work/jit.log"
check "JIT build, zero warnings" $ok
if [ $ok = 1 ]; then
  out=$(cd / && timeout 120 "$work/jit/Consumer" 2>&1); echo "$out"; verify JIT "$out"
  (cd / && timeout 120 "$work/jit/Consumer" --start-time 11)   # a figure for the log, not a check (CI machines are shared)
else
  for c in "quick start" "custom [IpcSerializer] type" "record through IpcQueue<T>" "MemoryPack record (NativeIpc.MemoryPack)" "capturing lambda refused" "loads the ReadyToRun images" "child JIT-compiles few methods"; do check "JIT $c" 0; done
fi

# The package's images: ReadyToRun for their runtime in runtimes/<rid>/lib/ (beside the IL of the assembly without one),
# IL in lib/ (what every compiler reads: an image there was CS8012 for -r and NativeAOT consumers).
images() { [ -x "$work/jit/Consumer" ] && (cd / && "$work/jit/Consumer" --images "$@" 2>&1); }
for r in linux-x64 linux-arm64; do
  d="$work/pkg/runtimes/$r/lib/net10.0"; out=$(images "$d/NativeIpc.dll" "$d/NativeIpc.Platform.Unix.dll" "$d/NativeIpc.Platform.Windows.dll"); echo "$out"
  [ "$(printf '%s\n' "$out" | grep -cE "(NativeIpc|Platform\.Unix)\.dll: ReadyToRun $r\$")" = 2 ] \
    && printf '%s\n' "$out" | grep -qE 'Platform\.Windows\.dll: IL$'
  check "runtimes/$r/lib: ReadyToRun images of NativeIpc and Platform.Unix" $((1 - $?))
done
d="$work/pkg/lib/net10.0"; out=$(images "$d/NativeIpc.dll" "$d/NativeIpc.Platform.Unix.dll" "$d/NativeIpc.Platform.Windows.dll"); echo "$out"
[ "$(printf '%s\n' "$out" | grep -cE '\.dll: IL$')" = 3 ]; check "lib/: IL assemblies" $((1 - $?))

# For this runtime (-r, framework-dependent): the compiler reads lib/, the app gets runtimes/<rid>/lib/.
ok=0
if (cd "$app" && dotnet publish -c Release -r "$rid" --self-contained false -o "$work/rid" >"$work/rid.log" 2>&1); then
  [ -z "$(warnings "$work/rid.log")" ] && ok=1
fi
warnings "$work/rid.log"; [ $ok = 1 ] || tail -30 "$work/rid.log"
check "-r $rid publish, zero warnings" $ok
if [ $ok = 1 ]; then
  out=$(cd / && timeout 120 "$work/rid/Consumer" 2>&1); echo "$out"; verify RID "$out"
else
  for c in "quick start" "custom [IpcSerializer] type" "record through IpcQueue<T>" "MemoryPack record (NativeIpc.MemoryPack)" "capturing lambda refused" "loads the ReadyToRun images" "child JIT-compiles few methods"; do check "RID $c" 0; done
fi

# NativeAOT: publish with the trim/AOT analysis on (nothing suppressed), run the native binary (its children are itself).
ok=0
if (cd "$app" && dotnet publish -c Release -r "$rid" -p:PublishAot=true -o "$work/aot" >"$work/aot.log" 2>&1); then
  [ -z "$(warnings "$work/aot.log")" ] && ok=1
fi
warnings "$work/aot.log"; grep -o "warning IL[0-9]*: Assembly 'MemoryPack.Core' produced[^[]*" "$work/aot.log" | sort -u
[ $ok = 1 ] || tail -30 "$work/aot.log"
check "NativeAOT publish, zero warnings" $ok
if [ $ok = 1 ]; then
  out=$(cd / && timeout 120 "$work/aot/Consumer" 2>&1); echo "$out"; verify AOT "$out"
else
  for c in "quick start" "custom [IpcSerializer] type" "record through IpcQueue<T>" "MemoryPack record (NativeIpc.MemoryPack)" "capturing lambda refused"; do check "AOT $c" 0; done
fi

rm -rf "$work"
echo "package $passed $failed 0" >> "$CI_RESULTS"
