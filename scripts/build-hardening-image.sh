#!/usr/bin/env bash
# Adds two layers and a config to the Debian image of build-debian-image.sh,
# planting what image-hardening checks and secret detection must find:
#
#   next layer   /usr/local/bin/netdiag  setuid root (4755), a copy of the image's
#                                        /usr/bin/true, owned by no .deb
#                /srv/uploads            world-writable (0777), no sticky bit
#                /root/.ssh/id_ed25519   an SSH private key (0600), made by ssh-keygen
#   layer after  deletes /root/.ssh/id_ed25519 (a whiteout: the key stays in the
#                layer below, readable by anyone who pulls the image)
#   config       Env AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, fresh random
#                values each build (recorded in the ENV history entry too, as
#                BuildKit records it); no User (runs as root); Cmd /bin/bash
#
# History entries read as a BuildKit build would record each change.
# OUTDIR/facts.json says where each thing is, with 0-based layer indexes; it
# holds the access key id but only the sha256 of the secret access key.
#
# Usage: scripts/build-hardening-image.sh DEBIAN_IMAGE_DIR OUTDIR
# Produces OUTDIR/oci (OCI layout, tag "hardening") and OUTDIR/facts.json.
set -euo pipefail
base=${1:?usage: $0 DEBIAN_IMAGE_DIR OUTDIR}
out=${2:?usage: $0 DEBIAN_IMAGE_DIR OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/work"
rm -rf "$work" "$out/oci" "$out/facts.json"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
command -v ssh-keygen >/dev/null || { echo "missing ssh-keygen (install openssh-client)" >&2; exit 1; }

# random N CHARSET: N random characters of a tr(1) character set.
random() {
  local s
  s=$(head -c 8192 /dev/urandom | LC_ALL=C tr -dc "$2" | head -c "$1")
  [ "${#s}" = "$1" ] || { echo "could not draw $1 random characters" >&2; exit 1; }
  printf '%s' "$s"
}
access_key_id="AKIA$(random 16 'A-Z2-7')"
secret_access_key=$(random 40 'A-Za-z0-9/+')

layout="$out/oci"
cp -r "$base/oci" "$layout"
umoci tag --image "$layout:bookworm" hardening
umoci rm --image "$layout:bookworm"
img="$layout:hardening"
first=$(skopeo inspect --format '{{len .Layers}}' "oci:$img")
second=$((first + 1))

umoci unpack --image "$img" "$work/bundle" >/dev/null
root="$work/bundle/rootfs"
install -m 4755 -o 0 -g 0 "$root/usr/bin/true" "$root/usr/local/bin/netdiag"
install -d -m 0777 -o 0 -g 0 "$root/srv/uploads"
install -d -m 0700 -o 0 -g 0 "$root/root/.ssh"
ssh-keygen -q -t ed25519 -N '' -C build@example -f "$root/root/.ssh/id_ed25519"
rm "$root/root/.ssh/id_ed25519.pub"
chmod 0600 "$root/root/.ssh/id_ed25519"
umoci repack --image "$img" --history.created_by "RUN /bin/sh -c install -m 4755 /usr/bin/true /usr/local/bin/netdiag \
&& install -d -m 0777 /srv/uploads && install -d -m 0700 /root/.ssh \
&& ssh-keygen -q -t ed25519 -N '' -C build@example -f /root/.ssh/id_ed25519 && rm /root/.ssh/id_ed25519.pub # buildkit" \
  "$work/bundle" >/dev/null
rm -rf "$work/bundle"

umoci unpack --image "$img" "$work/bundle" >/dev/null
rm "$work/bundle/rootfs/root/.ssh/id_ed25519"
umoci repack --image "$img" --history.created_by "RUN /bin/sh -c rm /root/.ssh/id_ed25519 # buildkit" \
  "$work/bundle" >/dev/null
rm -rf "$work/bundle"

umoci config --image "$img" \
  --config.env "AWS_ACCESS_KEY_ID=$access_key_id" --config.env "AWS_SECRET_ACCESS_KEY=$secret_access_key" \
  --history.created_by "ENV AWS_ACCESS_KEY_ID=$access_key_id AWS_SECRET_ACCESS_KEY=$secret_access_key"
umoci config --image "$img" --config.cmd /bin/bash --history.created_by 'CMD ["/bin/bash"]'
umoci gc --layout "$layout"

# Check what was planted in the layer blobs themselves, with tar.
layers=$(skopeo inspect --format '{{len .Layers}}' "oci:$img")
[ "$layers" = $((second + 1)) ] || { echo "expected $((second + 1)) layers, found $layers" >&2; exit 1; }
blob() { local d; d=$(skopeo inspect --format "{{index .Layers $1}}" "oci:$img"); echo "$layout/blobs/sha256/${d#sha256:}"; }
tar -tvzf "$(blob "$first")" >"$work/first.txt"
tar -tzf "$(blob "$second")" >"$work/second.txt"
grep -Eq '^-rwsr-xr-x (root/root|0/0) .* usr/local/bin/netdiag$' "$work/first.txt" || { echo "no setuid netdiag in layer $first" >&2; exit 1; }
grep -Eq '^drwxrwxrwx (root/root|0/0) .* srv/uploads/?$' "$work/first.txt" || { echo "no world-writable /srv/uploads in layer $first" >&2; exit 1; }
grep -Eq '^-rw------- (root/root|0/0) .* root/\.ssh/id_ed25519$' "$work/first.txt" || { echo "no SSH key in layer $first" >&2; exit 1; }
grep -Eqx '(\./)?root/\.ssh/\.wh\.id_ed25519' "$work/second.txt" || { echo "no whiteout in layer $second" >&2; exit 1; }

history=$(skopeo inspect --config --raw "oci:$img" | grep -o '"created_by":' | wc -l)
secret_sha=$(printf '%s' "$secret_access_key" | sha256sum | cut -d' ' -f1)
cat >"$out/facts.json" <<EOF
{
  "tag": "hardening",
  "layers": $layers,
  "setuid": { "path": "/usr/local/bin/netdiag", "layer": $first },
  "worldWritable": { "path": "/srv/uploads", "layer": $first },
  "sshKey": { "path": "/root/.ssh/id_ed25519", "addedInLayer": $first, "deletedInLayer": $second },
  "awsAccessKeyId": "$access_key_id",
  "awsSecretAccessKeySha256": "$secret_sha",
  "awsKeysInHistory": $((history - 2))
}
EOF
