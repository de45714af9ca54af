#!/usr/bin/env bash
# pipedeck's offline stand-in for actions/setup-python: a fresh venv, first on PATH.
# PIPEDECK_PYTHON_SUBSTITUTE=nearest (pipedeck's --python-substitute, set by the run): when the
# requested version is not installed, the nearest installed one is used, and the step says so.
set -euo pipefail
# act 0.2.89 (host mode) can drop a step's last lines when the step exits right after printing
# them, on a busy machine (5 of 30 runs here): the error line that says why would be lost, so
# a failing exit waits a moment for act to read it.
fail_now() { sleep 0.2 2>/dev/null || true; exit 1; }
echo "pipedeck: offline stand-in for actions/setup-python (a fresh virtualenv from the runner's Python)"

wanted=${WANTED:-}
if [[ -z "$wanted" && -n "${WANTED_FILE:-}" && -f "$WANTED_FILE" ]]; then
    wanted=$(head -n 1 "$WANTED_FILE" | tr -d '[:space:]')
fi
wanted=${wanted#python}
wanted=${wanted%.x}
substitute=${PIPEDECK_PYTHON_SUBSTITUTE:-off}

version_of() {
    "$1" -c 'import platform; print(platform.python_version())' 2>/dev/null
}

candidates=(python3 python)
[[ -n "$wanted" ]] && candidates=("python$(echo "$wanted" | cut -d. -f1-2)" "${candidates[@]}")

python="" found=""
for candidate in "${candidates[@]}"; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    version=$(version_of "$path") || continue
    if [[ -z "$wanted" || "$version" == "$wanted" || "$version" == "$wanted".* ]]; then
        python=$path
        break
    fi
    [[ ", $found, " == *", $version, "* ]] || found="$found${found:+, }$version"
done

# "Nearest": of every python, pythonX and pythonX.Y on PATH that runs, the one whose version
# differs least from the requested one — major first, then minor, then patch — and the newer
# of two equally near (3.9 requested, 3.8 and 3.10 installed: 3.10).
version_key() { # MAJOR.MINOR.PATCH -> one sortable number (missing parts: 0)
    local major minor patch
    IFS=. read -r major minor patch _ <<< "$1"
    major=${major%%[!0-9]*} minor=${minor%%[!0-9]*} patch=${patch%%[!0-9]*}
    echo $(( ${major:-0} * 1000000 + ${minor:-0} * 1000 + ${patch:-0} ))
}

distance() { # how far VERSION is from the requested one, in the parts it names
    local major minor patch w_major w_minor w_patch d
    IFS=. read -r major minor patch _ <<< "$1"
    IFS=. read -r w_major w_minor w_patch _ <<< "$wanted"
    major=${major%%[!0-9]*} minor=${minor%%[!0-9]*} patch=${patch%%[!0-9]*}
    d=$(( ${major:-0} - w_major )); (( d < 0 )) && d=$(( -d ))
    local total=$(( d * 1000000 ))
    if [[ -n "$w_minor" ]]; then
        d=$(( ${minor:-0} - w_minor )); (( d < 0 )) && d=$(( -d ))
        total=$(( total + d * 1000 ))
    fi
    if [[ -n "$w_patch" ]]; then
        d=$(( ${patch:-0} - w_patch )); (( d < 0 )) && d=$(( -d ))
        total=$(( total + d ))
    fi
    echo "$total"
}

nearest() {
    local dir path real version key best_key="" best_version=0 seen=" "
    local IFS=:
    for dir in $PATH; do
        [[ -d "$dir" ]] || continue
        for path in "$dir"/python "$dir"/python[0-9] "$dir"/python[0-9].[0-9] "$dir"/python[0-9].[0-9][0-9]; do
            [[ -x "$path" && ! -d "$path" ]] || continue
            real=$(readlink -f "$path" 2>/dev/null) || real=$path
            [[ "$seen" != *" $real "* ]] || continue # /bin -> /usr/bin, python3 -> python3.11
            seen="$seen$real "
            version=$(version_of "$path") || continue
            key=$(distance "$version")
            if [[ -z "$best_key" ]] || (( key < best_key )) ||
                { (( key == best_key )) && (( $(version_key "$version") > best_version )); }; then
                best_key=$key best_version=$(version_key "$version")
                python=$path substituted=$version
            fi
        done
    done
}

tried_nearest=""
if [[ -z "$python" && "$substitute" == "nearest" && "$wanted" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]]; then
    substituted="" tried_nearest=1
    nearest
    if [[ -n "$python" ]]; then
        echo "::warning::Python $wanted requested, ran $substituted: $wanted is not installed, $substituted is the nearest that is (--python-substitute nearest)"
    fi
fi

if [[ -z "$python" ]]; then
    if [[ -n "$tried_nearest" ]]; then
        echo "::error::Python $wanted is not available on this runner, nor any other Python to run instead; install one, or run online so the real actions/setup-python can fetch it"
    elif [[ "$substitute" == "nearest" ]]; then
        echo "::error::Python $wanted is not available on this runner (found: ${found:-none}), and --python-substitute nearest substitutes for a version number only (3, 3.9 or 3.9.1)"
    else
        echo "::error::Python $wanted is not available on this runner (found: ${found:-none}); --python-substitute nearest runs the nearest installed one instead (or install it, or run online so the real actions/setup-python can fetch it)"
    fi
    fail_now
fi

# Where the venv goes: one place per Python version, the same from run to run, as GitHub's
# $RUNNER_TOOL_CACHE/Python/<version>/x64 is — so a cache keyed by pythonLocation can hit.
# Docker mode: the job container's own /tmp. Host mode (PIPEDECK_PYTHON_HOME, the runner's
# tool cache): runs share the machine, so the place is the job's while its RUNNER_TEMP
# lives (act removes it when the job ends); a job that finds another live job in it gets a
# place of its own, and says so.
full=$(version_of "$python")
if [[ -n "${PIPEDECK_PYTHON_HOME:-}" ]]; then
    home="$PIPEDECK_PYTHON_HOME/Python/$full"
    mkdir -p "$home"
    me=$(readlink -f "${RUNNER_TEMP:-/tmp}")
    venv="$home/x64"
    exec 9>"$home/x64.lock"
    flock 9
    owner=$(cat "$home/x64.owner" 2>/dev/null || true)
    if [[ -n "$owner" && "$owner" != "$me" && -d "$owner" ]]; then
        venv="$me/pipedeck-python-$$"
        echo "::notice::$home/x64 is another running job's Python: this job's is $venv (a cache keyed by pythonLocation misses)"
    else
        echo "$me" > "$home/x64.owner"
    fi
    flock -u 9
    exec 9>&-
else
    venv="${RUNNER_TEMP:-/tmp}/pipedeck-python/Python/$full/x64"
fi
if [[ -e "$venv" ]]; then rm -rf "$venv"; fi # a fresh one each job, as on a new GitHub runner
"$python" -m venv "$venv"
echo "$venv/bin" >> "$GITHUB_PATH"
echo "pythonLocation=$venv" >> "$GITHUB_ENV"
{
    echo "python-version=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
    echo "python-path=$venv/bin/python"
} >> "$GITHUB_OUTPUT"
echo "Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())') in $venv"
