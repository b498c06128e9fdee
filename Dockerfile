# syntax=docker/dockerfile:1
# One image for both processes; the command chooses: `rekindle-api` (the default),
# `rekindle-api migrate`, or `rekindle-worker`.
ARG RUST_VERSION=1.95

# cargo-chef turns the workspace's manifests into a recipe, so the dependencies are compiled in
# a layer of their own that is rebuilt only when Cargo.toml or Cargo.lock change.
FROM rust:${RUST_VERSION}-bookworm AS chef
RUN cargo install cargo-chef --locked --version ^0.1
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json -p rekindle-api -p rekindle-worker
COPY . .
RUN cargo build --release --locked -p rekindle-api -p rekindle-worker

# The runtime: the two binaries, CA certificates and curl (for health checks), run by a user
# without privileges.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home /var/lib/rekindle --create-home rekindle
COPY --from=build /src/target/release/rekindle-api /src/target/release/rekindle-worker /usr/local/bin/
USER 10001:10001
WORKDIR /var/lib/rekindle
# Listening beyond loopback needs REKINDLE_ENV set (production, or development on purpose):
# the container refuses to start without it.
ENV REKINDLE_BIND=0.0.0.0:8080 \
    REKINDLE_DATA_DIR=/var/lib/rekindle
EXPOSE 8080
CMD ["rekindle-api"]
