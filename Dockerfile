# Weerbaar in a container: `weerbaar serve` on 0.0.0.0:8080, its data folder a volume.
# Not built in CI; see docs/operations.md ("Run in a container").
#
#   docker build -t weerbaar .
#   docker run -d --name weerbaar -p 8080:8080 -v weerbaar-data:/data weerbaar
#   docker logs weerbaar        # the setup code of a new register is printed here

FROM rust:1.95 AS build
WORKDIR /src
# Everything the build needs is in the repository and the crates from crates.io; no
# build script downloads anything else.
COPY . .
RUN cargo build --release --locked -p weerbaar \
    && install -m 0755 target/release/weerbaar /usr/local/bin/weerbaar

FROM debian:bookworm-slim
# CA certificates: TLS to PostgreSQL, the identity provider and the mail server.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin weerbaar \
    && mkdir -m 0700 /data \
    && chown weerbaar:weerbaar /data
COPY --from=build /usr/local/bin/weerbaar /usr/local/bin/weerbaar
USER weerbaar
ENV WEERBAAR_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/weerbaar"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
