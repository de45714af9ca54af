#!/bin/sh
# /usr/local/bin/aws: Debian's AWS CLI (2.9) predates AWS_ENDPOINT_URL and
# AWS_ENDPOINT_URL_<SERVICE> (CLI 2.13). Honour them as newer CLIs do, so `aws s3 cp` in a
# workflow reaches pipedeck's S3 emulator unchanged. An explicit --endpoint-url wins.
set -eu
real=/usr/bin/aws

service=""
value_next=""
for arg in "$@"; do
    if [ -n "$value_next" ]; then value_next=""; continue; fi
    case $arg in
        --endpoint-url | --endpoint-url=*) exec "$real" "$@" ;;
        --profile | --region | --output | --query | --color | --ca-bundle | --cli-read-timeout | \
            --cli-connect-timeout | --cli-binary-format) value_next=1 ;;
        -*) ;;
        *) service=$arg; break ;;
    esac
done
case $service in
    "" | configure | help | history) exec "$real" "$@" ;;
    s3api) id=S3 ;;
    *) id=$(printf '%s' "$service" | tr 'a-z-' 'A-Z_') ;;
esac
case ${AWS_IGNORE_CONFIGURED_ENDPOINT_URLS:-} in [Tt][Rr][Uu][Ee]) exec "$real" "$@" ;; esac

endpoint=$(printenv "AWS_ENDPOINT_URL_$id" || true)
endpoint=${endpoint:-${AWS_ENDPOINT_URL:-}}
if [ -n "$endpoint" ]; then
    exec "$real" --endpoint-url "$endpoint" "$@"
fi
exec "$real" "$@"
