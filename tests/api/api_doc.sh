#!/bin/bash
# tests/api/api_doc.sh LIB DOC - every function the shared library exports under a kernel name
# (anything not minalign_*) has a row in docs/api.md, so the table lists every kernel name
# minalign provides.  The other direction (each row compiles with its type) is api_types.
set -euo pipefail
lib=$1 doc=$2
missing=0
count=0
while read -r sym; do
	case $sym in minalign_* | _init | _fini | "") continue ;; esac
	count=$((count + 1))
	if ! grep -q "^| \`$sym\` |" "$doc"; then
		echo "api_doc: $sym is exported but has no row in docs/api.md"
		missing=$((missing + 1))
	fi
done < <(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }')
echo "api_doc: $count kernel-named functions exported, $missing without a row"
[ "$count" -gt 150 ] || { echo "api_doc: too few exported functions found ($count)"; exit 1; }
[ "$missing" -eq 0 ]
