#!/usr/bin/env bash
# pipedeck's offline stand-in for actions/setup-python: a fresh venv, first on PATH.
set -euo pipefail
echo "pipedeck: offline stand-in for actions/setup-python (a fresh virtualenv from the runner's Python)"

wanted=${WANTED:-}
if [[ -z "$wanted" && -n "${WANTED_FILE:-}" && -f "$WANTED_FILE" ]]; then
    wanted=$(head -n 1 "$WANTED_FILE" | tr -d '[:space:]')
fi
wanted=${wanted#python}
wanted=${wanted%.x}

candidates=(python3 python)
[[ -n "$wanted" ]] && candidates=("python$(echo "$wanted" | cut -d. -f1-2)" "${candidates[@]}")

python="" found=""
for candidate in "${candidates[@]}"; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    version=$("$path" -c 'import platform; print(platform.python_version())' 2>/dev/null) || continue
    if [[ -z "$wanted" || "$version" == "$wanted" || "$version" == "$wanted".* ]]; then
        python=$path
        break
    fi
    found="$found${found:+, }$version"
done

if [[ -z "$python" ]]; then
    echo "::error::Python $wanted is not available on this runner (found: ${found:-none}); install it, or run online so the real actions/setup-python can fetch it"
    exit 1
fi

venv="${RUNNER_TEMP:-/tmp}/pipedeck-python-$$"
"$python" -m venv "$venv"
echo "$venv/bin" >> "$GITHUB_PATH"
echo "pythonLocation=$venv" >> "$GITHUB_ENV"
{
    echo "python-version=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
    echo "python-path=$venv/bin/python"
} >> "$GITHUB_OUTPUT"
echo "Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())') in $venv"
