# syntax=docker/dockerfile:1
# Multi-stage: build with the full Rust toolchain, run from a slim Debian with only the binary.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# The same build CI does (`--locked`: exactly the versions in Cargo.lock).
COPY . .
RUN cargo build --release --locked --bin pourover

FROM debian:bookworm-slim
# ca-certificates: the bot calls Slack and Microsoft over HTTPS.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin pourover \
    && mkdir -p /data \
    && chown pourover:pourover /data
COPY --from=build /src/target/release/pourover /usr/local/bin/pourover

USER pourover
WORKDIR /data
# Listen on all interfaces inside the container; keep the SQLite file on the volume.
ENV POUROVER_BIND=0.0.0.0:3000 \
    POUROVER_DATABASE_URL=sqlite:///data/pourover.db \
    POUROVER_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["pourover", "healthcheck"]
ENTRYPOINT ["pourover"]
CMD ["serve"]
