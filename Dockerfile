# PromptVault container image.
#   docker build -t promptvault .
#   docker run -d -p 3000:3000 -v promptvault-data:/data promptvault
# Configuration by environment only (PROMPTVAULT_*, DATABASE_URL; `promptvault config example`
# lists every setting). Data and backups live under the /data volume.

# 1. Build a static binary (musl: no C library needed at run time).
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add "$(uname -m)-unknown-linux-musl"
WORKDIR /src
COPY . .
RUN target="$(uname -m)-unknown-linux-musl" \
 && cargo build --release --locked --target "$target" \
 && install -D -m 0755 "target/$target/release/promptvault" /out/root/usr/local/bin/promptvault \
 && install -d -m 1777 /out/root/tmp \
 && install -d -m 0750 /out/data /out/data/backups

# 2. The runtime: the binary alone, run as an unprivileged user.
FROM scratch
COPY --from=build /out/root/ /
COPY --from=build --chown=65532:65532 /out/data /data
ENV PATH=/usr/local/bin \
    DATABASE_URL=sqlite:///data/promptvault.db \
    PROMPTVAULT_BACKUP_DIR=/data/backups \
    PROMPTVAULT_BIND=0.0.0.0 \
    PROMPTVAULT_PORT=3000
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["promptvault", "health"]
ENTRYPOINT ["promptvault"]
CMD ["serve"]
