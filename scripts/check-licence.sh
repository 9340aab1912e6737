#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that every source file names its licence in an SPDX line near its top (the first three
# lines: after a #! or <?xml line, or the comment that opens a man page), and that LICENSE is the
# GPL-3 text. Prints each file that does not and exits 1; CTest runs it (licence_check).
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard)
else
  mapfile -t files < <(find . -path ./.git -prune -o -path './build*' -prune -o -type f -print | sed 's|^\./||')
fi
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  case "$f" in
    *.cpp|*.h|*.go|*.proto|*.cmake|CMakeLists.txt|*/CMakeLists.txt|*.sh|*.py|*.js|*.mjs|*.desktop|*.1|*.svg|*.xml.in|*.plist.in|.ci/*) ;;
    *) continue ;;
  esac
  if ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier: \(GPL-3.0-or-later\|CC0-1.0\)'; then
    echo "no SPDX licence line at the top of $f"
    bad=1
  fi
done
if ! head -n 1 LICENSE | grep -q 'GNU GENERAL PUBLIC LICENSE' || ! grep -q 'Version 3, 29 June 2007' LICENSE; then
  echo "LICENSE is not the GPL-3 text"
  bad=1
fi
exit $bad
