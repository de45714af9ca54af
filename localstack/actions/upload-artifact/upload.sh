#!/usr/bin/env bash
# pipedeck's offline stand-in for actions/upload-artifact: copy into the run's artifact folder.
set -euo pipefail
# act 0.2.89 (host mode) can drop a step's last lines when the step exits right after printing
# them, on a busy machine (5 of 30 runs here): the error line that says why would be lost, so
# a failing exit waits a moment for act to read it.
fail_now() { sleep 0.2 2>/dev/null || true; exit 1; }
echo "pipedeck: offline stand-in for actions/upload-artifact (into the run's artifact folder)"
# Names as actions/upload-artifact checks them: none of " : < > | * ? \r \n \ /, and not
# empty, . or .. (so a name can never reach outside the run's artifact folder).
valid_name() {
    local name=$1
    if [[ -z "$name" || "$name" == "." || "$name" == ".." || "$name" =~ [\":\<\>\|\*\?/\\] \
        || "$name" == *$'\r'* || "$name" == *$'\n'* ]]; then
        echo "::error::artifact name is not valid: $name (it may not be empty, . or .., nor hold \" : < > | * ? / \\ or a line break)"
        fail_now
    fi
}
root=${PIPEDECK_ARTIFACT_DIR:?pipedeck sets PIPEDECK_ARTIFACT_DIR for its runs}
valid_name "$NAME"
target="$root/$NAME"
if [[ -e "$target" && "$OVERWRITE" != "true" ]]; then
    echo "::error::an artifact named $NAME already exists in this run (set overwrite: true)"
    fail_now
fi
rm -rf "$target"
mkdir -p "$target"
shopt -s globstar nullglob dotglob
count=0
while IFS= read -r pattern; do
    pattern=$(echo "$pattern" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
    [[ -n "$pattern" ]] || continue
    for match in $pattern; do
        cp -R --parents "$match" "$target/"
        count=$((count + 1))
    done
done <<< "$PATHS"
if ((count == 0)); then
    case "$IF_NO_FILES" in
        error) echo "::error::no files found for artifact $NAME"; fail_now ;;
        ignore) ;;
        *) echo "::warning::no files found for artifact $NAME" ;;
    esac
fi
echo "artifact $NAME: $count path(s) -> $target"
