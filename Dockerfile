# Multi-stage build of the `yeondae` binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin yeondae

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/yeondae --create-home yeondae
COPY --from=build /src/target/release/yeondae /usr/local/bin/yeondae
USER yeondae
WORKDIR /var/lib/yeondae
ENV YEONDAE_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["yeondae"]
CMD ["serve"]
