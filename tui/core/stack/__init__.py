"""The local stack: what `pipedeck up` starts (the S3 emulator, images) and `down` stops."""
