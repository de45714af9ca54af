#!/usr/bin/env bash
# pipedeck's offline stand-in for actions/download-artifact: copy out of the run's artifacts.
set -euo pipefail
# act 0.2.89 (host mode) can drop a step's last lines when the step exits right after printing
# them, on a busy machine (5 of 30 runs here): the error line that says why would be lost, so
# a failing exit waits a moment for act to read it.
fail_now() { sleep 0.2 2>/dev/null || true; exit 1; }
echo "pipedeck: offline stand-in for actions/download-artifact (from the run's artifact folder)"
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
mkdir -p "$DEST"
if [[ -n "$NAME" ]]; then
    valid_name "$NAME"
    if [[ ! -d "$root/$NAME" ]]; then
        echo "::error::no artifact named $NAME in this run"
        fail_now
    fi
    cp -R "$root/$NAME/." "$DEST/"
else
    for artifact in "$root"/*/; do
        [[ -d "$artifact" ]] || continue
        mkdir -p "$DEST/$(basename "$artifact")"
        cp -R "$artifact." "$DEST/$(basename "$artifact")/"
    done
fi
echo "downloaded ${NAME:-all artifacts} -> $DEST"
