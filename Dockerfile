# nin itself. CPU by default:
#   docker build -t nin .
#   docker run --rm --network host -v ~/.nin:/root/.nin nin sweep sweeps/quick.yaml
# GPU (CUDA 12 + cuDNN 8.9 from the base image, TensorFlow's GPU natives):
#   docker build -t nin:gpu --build-arg RUNTIME=nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04 --build-arg NATIVES=linux-x86_64-gpu .
#   docker run --rm --gpus all --network host -v ~/.nin:/root/.nin nin:gpu sweep sweeps/lr.yaml
ARG RUNTIME=ubuntu:22.04

FROM maven:3.9-eclipse-temurin-17 AS build
ARG NATIVES=linux-x86_64
WORKDIR /src
COPY pom.xml .
COPY src src
COPY migrations migrations
RUN mvn -B -q -DskipTests -Dtensorflow.native.classifier=${NATIVES} package

FROM ${RUNTIME}
ARG NATIVES=linux-x86_64
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openjdk-17-jre-headless util-linux ca-certificates \
    && (apt-get install -y --no-install-recommends dataset-fashion-mnist || true) \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/nin
COPY --from=build /src/target/quarkus-app app
COPY --from=build /src/target/natives natives
COPY sweeps sweeps
ENV TF_ENABLE_ONEDNN_OPTS=1 TF_CPP_MIN_LOG_LEVEL=2
ENTRYPOINT ["java", "-Djava.awt.headless=true", "-Dnin.natives.root=/opt/nin/natives", "-jar", "/opt/nin/app/quarkus-run.jar"]
CMD ["--help"]
