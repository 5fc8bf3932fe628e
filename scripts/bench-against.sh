#!/usr/bin/env bash
# The simulation benchmark of this checkout and of another commit, alternating in one window, so
# that a figure is read against a baseline measured on the same machine at the same time (the
# machine is shared: the same build's figures have moved 2x between sessions).
#
#   scripts/bench-against.sh COMMIT [ROUNDS]
#
# COMMIT is built apart in a temporary worktree (this checkout's node_modules linked in, so it must
# build with today's dependencies); each round runs COMMIT's `dist/bench/main.js --only sim`, then
# this checkout's. This checkout must be built first (`npm run build`). Issue 11's section 4 quoted
# 1,100-1,900x for the standard preset; a6f8e0d is the last commit before that issue's work began.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: scripts/bench-against.sh COMMIT [ROUNDS]" >&2
  exit 2
fi
commit="$1"
rounds="${2:-3}"
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-against: ROUNDS must be a positive integer, got '$rounds'" >&2
  exit 2
fi

here="$(cd "$(dirname "$0")/.." && pwd)"
if [[ ! -f "$here/dist/bench/main.js" ]]; then
  echo "bench-against: $here/dist/bench/main.js is missing: run npm run build first" >&2
  exit 1
fi
sha="$(git -C "$here" rev-parse --verify --quiet "$commit^{commit}")" || {
  echo "bench-against: '$commit' is not a commit of $here" >&2
  exit 1
}

tree="$(mktemp -d "${TMPDIR:-/tmp}/bench-against.XXXXXX")"
cleanup() {
  git -C "$here" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"
}
trap cleanup EXIT

git -C "$here" worktree add --quiet --detach "$tree" "$sha"
ln -s "$here/node_modules" "$tree/node_modules"
(cd "$tree" && npx tsc --build tsconfig.build.json) >/dev/null

echo "baseline ${sha:0:7} against this checkout ($(git -C "$here" rev-parse --short HEAD)), $rounds round(s), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= rounds; i++)); do
  echo "round $i, $(date -u +%H:%M:%S) UTC"
  echo "  baseline ${sha:0:7}:"
  (cd "$tree" && node dist/bench/main.js --only sim) | sed -n '1,3p' | sed 's/^/    /'
  echo "  this checkout:"
  (cd "$here" && node dist/bench/main.js --only sim) | sed -n '1,3p' | sed 's/^/    /'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
