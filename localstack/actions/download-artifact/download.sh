#!/usr/bin/env bash
# pipedeck's offline stand-in for actions/download-artifact: copy out of the run's artifacts.
set -euo pipefail
echo "pipedeck: offline stand-in for actions/download-artifact (from the run's artifact folder)"
# Names as actions/upload-artifact checks them: none of " : < > | * ? \r \n \ /, and not
# empty, . or .. (so a name can never reach outside the run's artifact folder).
valid_name() {
    local name=$1
    if [[ -z "$name" || "$name" == "." || "$name" == ".." || "$name" =~ [\":\<\>\|\*\?/\\] \
        || "$name" == *$'\r'* || "$name" == *$'\n'* ]]; then
        echo "::error::artifact name is not valid: $name (it may not be empty, . or .., nor hold \" : < > | * ? / \\ or a line break)"
        exit 1
    fi
}
root=${PIPEDECK_ARTIFACT_DIR:?pipedeck sets PIPEDECK_ARTIFACT_DIR for its runs}
mkdir -p "$DEST"
if [[ -n "$NAME" ]]; then
    valid_name "$NAME"
    if [[ ! -d "$root/$NAME" ]]; then
        echo "::error::no artifact named $NAME in this run"
        exit 1
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
