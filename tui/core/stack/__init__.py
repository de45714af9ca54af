"""The local stack: what `pipedeck up` starts (the local S3 server, images) and `down` stops."""
