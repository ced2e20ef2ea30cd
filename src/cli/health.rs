//! `promptvault health`: asks the server on this machine for `/health` (or `/ready`) and exits
//! 0 when it answers 200. Plain HTTP over a socket, so a container needs no curl for its
//! `HEALTHCHECK`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::Config;

/// The address to ask: the configured one, with "every interface" meaning this machine.
pub fn local_addr(config: &Config) -> SocketAddr {
    let ip = match config.bind {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
        ip => ip,
    };
    SocketAddr::new(ip, config.port)
}

pub async fn run(config: &Config, ready: bool, timeout_secs: u64) -> anyhow::Result<()> {
    let addr = local_addr(config);
    let path = if ready { "/ready" } else { "/health" };
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .with_context(|| format!("no server answers on {addr}"))?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.take(64 * 1024).read_to_end(&mut answer).await?;
        Ok::<_, anyhow::Error>(String::from_utf8_lossy(&answer).into_owned())
    };
    let answer = tokio::time::timeout(Duration::from_secs(timeout_secs.max(1)), ask)
        .await
        .with_context(|| format!("http://{addr}{path} did not answer within {timeout_secs} s"))??;
    let status = answer.split_whitespace().nth(1).unwrap_or_default();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b).trim();
    if status == "200" {
        println!("ok: http://{addr}{path} {body}");
        Ok(())
    } else {
        bail!("http://{addr}{path} answered {status}: {body}")
    }
}
