#!/bin/sh
# The example app Imprint's demo packs into an image.
echo "hello from an image built by imprint"
