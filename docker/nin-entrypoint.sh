#!/bin/sh
# The entrypoint of nin's image (Dockerfile): nin with the launcher's JVM options (C1 only, serial
# collector, 1 GiB heap, nothing of the JVM's own on the screen), the commit the image was built from
# as provenance, and, in the CUDA variant (NIN_IMAGE_DATA=mounted), a check that Fashion-MNIST is
# mounted where Debian's package puts it, before anything starts.
# StackIT and ContainerIT run this file with /opt/nin replaced by the checkout's target/.
set -eu
root=/opt/nin
data=/usr/share/datasets/fashion-mnist
if [ "${NIN_IMAGE_DATA:-package}" = mounted ]; then
  for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [ ! -r "$data/$name.gz" ] && [ ! -r "$data/$name" ]; then
      echo "nin image: expected Fashion-MNIST mounted at $data (docker run -v" \
        "/usr/share/datasets/fashion-mnist:$data:ro, from a machine with Debian's dataset-fashion-mnist)," \
        "found no $name(.gz) there" >&2
      exit 3
    fi
  done
fi
# NIN_JAVA_OPTS come after the defaults, so they override them (as with the ./nin launcher).
# shellcheck disable=SC2086
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx1g \
  -Xlog:disable -Xlog:all=error:stderr -XX:+DisplayVMOutputToStderr -XX:-PrintWarnings \
  ${NIN_JAVA_OPTS:-} -Djava.awt.headless=true -Dnin.natives.root="$root/natives" \
  -Dnin.git.commit="${NIN_GIT_COMMIT:-unknown}" -jar "$root/quarkus-app/quarkus-run.jar" "$@"
