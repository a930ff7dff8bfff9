# nin as a container: the stack's worker service (docker-compose.yml), or any one command.
# GIT_COMMIT is required: it is the provenance every trial records (the build context has no .git).
#   docker build -t nin --build-arg GIT_COMMIT=$(git rev-parse HEAD) .
#   docker run --rm -e NIN_DB_URL=jdbc:postgresql://HOST:5432/nin -e NIN_DB_USER=nin -e NIN_DB_PASSWORD=... \
#     nin sweep sweeps/quick.yaml
# CUDA variant: NVIDIA's Ubuntu-based CUDA 12 / cuDNN 8.9 image and TensorFlow's GPU natives as well.
# Ubuntu has no dataset-fashion-mnist package, so the data is mounted at Debian's path, from a machine
# that has the package, and the entrypoint checks it is there before anything starts:
#   docker build -t nin:cuda --build-arg VARIANT=cuda --build-arg GIT_COMMIT=$(git rev-parse HEAD) .
#   docker run --rm --gpus all -v /usr/share/datasets/fashion-mnist:/usr/share/datasets/fashion-mnist:ro \
#     -e NIN_DB_URL=... -e NIN_DB_USER=nin -e NIN_DB_PASSWORD=... nin:cuda worker --wait
# The container runs as uid 10001 (nin, home /home/nin, NIN_HOME /home/nin/.nin) and has no embedded
# PostgreSQL (NIN_DB_EMBEDDED=false: Docker's seccomp profile blocks the `unshare -U` it would need as
# root, and a store inside a throwaway container would be lost with it), so NIN_DB_URL, NIN_DB_USER and
# NIN_DB_PASSWORD are required. Needs BuildKit (docker compose and docker build's default): only the
# runtime stage VARIANT names is built.
# StackIT and ContainerIT read this file (the ENV of the last stage, the ENTRYPOINT) and run
# docker/nin-entrypoint.sh with /opt/nin replaced by the checkout's target/, so they and the image
# cannot drift.
ARG VARIANT=cpu

FROM maven:3.9-eclipse-temurin-17 AS build
ARG VARIANT
ARG GIT_COMMIT
RUN if [ -z "$GIT_COMMIT" ]; then \
        echo "GIT_COMMIT: expected the commit being built (--build-arg GIT_COMMIT=\$(git rev-parse HEAD)), found nothing" >&2; \
        exit 1; \
    fi
WORKDIR /src
COPY pom.xml .
COPY src src
COPY migrations migrations
RUN case "$VARIANT" in \
        cpu) profiles="" ;; \
        cuda) profiles="-Pgpu" ;; \
        *) echo "VARIANT: expected cpu or cuda, found '$VARIANT'" >&2; exit 1 ;; \
    esac \
    && mvn -B -q -DskipTests $profiles package

# CPU: Debian, where Fashion-MNIST is a package (installed here; a failure fails the build).
FROM debian:bookworm-slim AS runtime-cpu
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openjdk-17-jre-headless ca-certificates dataset-fashion-mnist \
    && rm -rf /var/lib/apt/lists/*
ENV NIN_IMAGE_DATA=package

# CUDA: no dataset package on Ubuntu; the entrypoint checks the mounted data instead.
FROM nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04 AS runtime-cuda
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openjdk-17-jre-headless ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV NIN_IMAGE_DATA=mounted

FROM runtime-${VARIANT}
ARG GIT_COMMIT
RUN groupadd --gid 10001 nin \
    && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/nin --shell /usr/sbin/nologin nin
# The same layout as the checkout's target/ (quarkus-app/, natives/), so the entrypoint runs there too.
COPY --from=build /src/target/quarkus-app /opt/nin/quarkus-app
COPY --from=build /src/target/natives /opt/nin/natives
COPY sweeps /opt/nin/sweeps
COPY docker/nin-entrypoint.sh /opt/nin/bin/nin-entrypoint
ENV NIN_HOME=/home/nin/.nin NIN_DB_EMBEDDED=false NIN_GIT_COMMIT=${GIT_COMMIT} TF_ENABLE_ONEDNN_OPTS=1 TF_CPP_MIN_LOG_LEVEL=2
LABEL org.opencontainers.image.title="nin" org.opencontainers.image.revision="${GIT_COMMIT}"
USER 10001:10001
# Relative sweep paths (sweeps/quick.yaml) name the shipped files.
WORKDIR /opt/nin
ENTRYPOINT ["/opt/nin/bin/nin-entrypoint"]
CMD ["--help"]
