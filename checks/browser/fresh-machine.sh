#!/usr/bin/env bash
# Run a command (default: the browser tests) as a fresh Linux machine would see this checkout:
# no system Chrome or Chromium, no Playwright browser cache, an empty TMPDIR, and no Chromium
# unpacked yet from @sparticuz/chromium. Everything is hidden in a private mount namespace
# (unshare -m, then tmpfs or an empty non-executable file mounted over each path), so nothing
# outside this command changes. Run `npm ci` before, not inside: node_modules/.cache is a mount
# point here.
#
#   bash checks/browser/fresh-machine.sh                 # the browser tests
#   bash checks/browser/fresh-machine.sh npm test        # the README's test command (.ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${DSCHECK_FRESH_NS:-}" != "1" ]; then
  if ! command -v unshare >/dev/null; then
    echo "fresh-machine.sh: unshare (util-linux) is needed" >&2; exit 2
  fi
  if [ "$(id -u)" -eq 0 ]; then NS=(-m); else NS=(-r -m); fi
  exec unshare "${NS[@]}" --propagation private env DSCHECK_FRESH_NS=1 bash "$0" "$@"
fi

if [ ! -d node_modules/@sparticuz/chromium ]; then
  echo "fresh-machine.sh: run npm ci first" >&2; exit 2
fi

EMPTY_FILE=$(mktemp)   # an empty file, mode 0644: not executable, so not a browser
chmod 0644 "$EMPTY_FILE"
hide() {
  local p=$1
  if [ -d "$p" ]; then
    mount -t tmpfs -o size=1m tmpfs "$p"; echo "  hidden: $p/ (empty tmpfs)"
  elif [ -e "$p" ] || [ -L "$p" ]; then
    mount --bind "$EMPTY_FILE" "$p"; echo "  hidden: $p (empty, not executable)"
  fi
}

echo "== fresh machine: hiding every browser (mount namespace of this command only)"
for p in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome /usr/bin/google-chrome-stable \
         /snap/bin/chromium /usr/bin/chromedriver /usr/lib/chromium /opt/google/chrome \
         "${HOME:-/root}/.cache/ms-playwright"; do
  hide "$p"
done
mkdir -p node_modules/.cache
mount -t tmpfs tmpfs node_modules/.cache && echo "  hidden: node_modules/.cache/ (no browser unpacked yet)"
# A fresh, empty temp dir (not a mount over /tmp: the checkout itself may live there), and no
# Chromium left in /tmp by @sparticuz/chromium's own default unpacking.
hide /tmp/chromium
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/dscheck-fresh-tmp.XXXXXX")
export TMPDIR
echo "  TMPDIR: $TMPDIR (empty)"
unset DSCHECK_CHROMIUM

for b in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$b" >/dev/null && [ -x "$(command -v "$b")" ]; then
    echo "fresh-machine.sh: $b is still runnable at $(command -v "$b")" >&2; exit 1
  fi
done

if [ $# -eq 0 ]; then set -- npx vitest run checks/browser/; fi
echo "== fresh machine: $*"
set +e
"$@"
rc=$?
rm -rf "$TMPDIR"; rm -f "$EMPTY_FILE"
exit $rc
