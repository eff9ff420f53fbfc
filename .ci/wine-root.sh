#!/usr/bin/env bash
# Wine 10 for the Windows leg: Debian trixie's wine in a debootstrap chroot (bookworm's Wine 8 hangs reflection-heavy
# test runners at the second exception). Idempotent: a chroot with the ready marker is reused as it is.
# Usage: wine-root.sh install        -> builds /opt/nativeipc-wine once (~3 min, ~1.5 GB)
#        wine-root.sh run DIR SECONDS CMD... -> runs CMD inside the chroot with DIR bound at /w (cwd /w), killed
#                                           after SECONDS; every process left in the chroot is ended after it
#        wine-root.sh down                -> ends what runs in the chroot and unmounts
set -uo pipefail
root=${NATIVEIPC_WINE_ROOT:-/opt/nativeipc-wine}
marker="$root/.nativeipc-ready"
mirror=${NATIVEIPC_WINE_MIRROR:-http://deb.debian.org/debian}

install_root() {
  [ -f "$marker" ] && return 0
  command -v debootstrap >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || return 1
  }
  rm -rf "$root"
  debootstrap --variant=minbase trixie "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log"; return 1; }
  mounts_up
  chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends wine wine64 >/dev/null" >>"$root.log" 2>&1
  local rc=$?
  mounts_down
  [ $rc = 0 ] || { tail -20 "$root.log"; return 1; }
  chroot "$root" apt-get clean >/dev/null 2>&1
  touch "$marker"
}

mounts_up() {
  mkdir -p "$root/proc" "$root/dev" "$root/w"
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  mountpoint -q "$root/dev" || mount --rbind /dev "$root/dev"
}

# Ends every process whose root is the chroot (Wine's services outlive the program; wineserver -k is not always heard).
kill_root() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin wineserver -k >/dev/null 2>&1
  local p pids=()
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
  done
  [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null
  return 0
}

mounts_down() {
  kill_root
  mountpoint -q "$root/w" && umount "$root/w"
  mountpoint -q "$root/dev" && umount -R "$root/dev"
  mountpoint -q "$root/proc" && umount "$root/proc"
  return 0
}

run_in_root() {
  local dir=$1 seconds=$2; shift 2
  mounts_up
  mountpoint -q "$root/w" && umount "$root/w"
  mount --bind "$dir" "$root/w"
  # The Wine prefix lives in the chroot (made once on first use), so a run does not pay for wineboot again.
  timeout -k 10 "$seconds" chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin WINEDEBUG=-all WINEDLLOVERRIDES="winedbg.exe=d" \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 /bin/sh -c 'cd /w && exec "$@"' sh "$@"
  local rc=$?
  kill_root
  umount "$root/w"
  return $rc
}

case "${1:-}" in
  install) install_root ;;
  run) shift; run_in_root "$@" ;;
  down) mounts_down ;;
  *) echo "usage: $0 install | run DIR SECONDS CMD... | down" >&2; exit 2 ;;
esac
