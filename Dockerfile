# syntax=docker/dockerfile:1
# Build stage: compile both binaries in release mode.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p rekindle-api -p rekindle-worker

# Runtime stage: a slim image with the two binaries and nothing else of the toolchain.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/rekindle --create-home rekindle
COPY --from=build /src/target/release/rekindle-api /src/target/release/rekindle-worker /usr/local/bin/
USER rekindle
ENV REKINDLE_BIND=0.0.0.0:8080 \
    REKINDLE_DATA_DIR=/var/lib/rekindle
EXPOSE 8080
CMD ["rekindle-api"]
