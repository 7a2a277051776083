//! HL7 v2 over MLLP: a listener that journals each message and answers an HL7 ACK (AA, or
//! AE/AR with the failing rule ids in MSA-3 and ERR-3), and a sender that delivers a message to
//! a peer's MLLP port and reads its ACK.
//!
//! Framing errors, oversized messages ([`MAX_MLLP_MESSAGE_BYTES`]) and slow peers
//! ([`MLLP_IDLE_TIMEOUT`], [`MLLP_WRITE_TIMEOUT`]) end the connection with a journalled
//! [`Outcome::ChannelError`] (and, for an oversized or malformed frame, an AR first); a peer
//! that disconnects mid-frame is journalled too. Nothing received is answered before it is
//! journalled.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use insilab_core::rules::Finding;
use insilab_formats::hl7::{self, Message};
use insilab_formats::mllp::{
    AckCode, AckSummary, Deframer, MAX_MLLP_MESSAGE_BYTES, MllpError, build_ack, frame, read_ack,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::{entry, journal_text};
use crate::journal::{Journal, Outcome};

/// How long the listener waits for the next byte of a peer before giving up on it.
pub const MLLP_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long writing an ACK (listener) or a message (sender) may take.
pub const MLLP_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the sender waits for the peer's ACK.
pub const MLLP_ACK_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the sender waits for the TCP connection.
pub const MLLP_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most MLLP connections served at once.
pub const MLLP_MAX_CONNECTIONS: usize = 64;
/// Read buffer size.
const READ_CHUNK: usize = 64 * 1024;

/// The listener's settings.
#[derive(Debug, Clone)]
pub struct MllpSettings {
    /// Tenant of the journal entries of messages whose sending facility names no known tenant.
    pub tenant: Option<String>,
    /// Known tenants (those with an admin API token): a message whose sending facility (MSH-4,
    /// first component) is one of them is journalled under it.
    pub tenants: Vec<String>,
    /// Idle timeout per read.
    pub idle_timeout: Duration,
    /// Largest message.
    pub max_message_bytes: usize,
}

impl Default for MllpSettings {
    fn default() -> Self {
        MllpSettings {
            tenant: None,
            tenants: Vec::new(),
            idle_timeout: MLLP_IDLE_TIMEOUT,
            max_message_bytes: MAX_MLLP_MESSAGE_BYTES,
        }
    }
}

/// What the listener answers a message: the ACK, its code and the findings.
#[derive(Debug, Clone)]
pub struct Answer {
    /// AA, AE or AR.
    pub code: AckCode,
    /// The rules that failed.
    pub findings: Vec<Finding>,
    /// The ACK message.
    pub ack: Message,
    /// The message read (`None` when unreadable: AR).
    pub message: Option<Message>,
    /// Why it was rejected (AR).
    pub reason: Option<String>,
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Checks a message body and builds its ACK (pure; the listener journals and sends it).
pub fn answer(body: &[u8]) -> Answer {
    let control = format!("ACK{}", uuid::Uuid::new_v4().simple());
    match hl7::parse(body) {
        Ok(msg) => {
            let findings = insilab_formats::rules::hl7::check_message(&msg);
            let code = AckCode::for_findings(&findings);
            let ack = build_ack(Some(&msg), code, &findings, None, &control, &timestamp());
            Answer {
                code,
                findings,
                ack,
                message: Some(msg),
                reason: None,
            }
        }
        Err(e) => {
            let reason = format!("message cannot be read: {e}");
            let ack = build_ack(
                None,
                AckCode::Ar,
                &[],
                Some(&reason),
                &control,
                &timestamp(),
            );
            Answer {
                code: AckCode::Ar,
                findings: Vec::new(),
                ack,
                message: None,
                reason: Some(reason),
            }
        }
    }
}

fn operation(msg: Option<&Message>) -> Option<String> {
    let msh = msg?.segment("MSH")?;
    Some(format!(
        "hl7 {}^{}",
        msh.component(9, 1, 1),
        msh.component(9, 1, 2)
    ))
}

/// Accepts MLLP connections until `shutdown`.
pub async fn accept_loop(
    listener: TcpListener,
    journal: Journal,
    settings: Arc<MllpSettings>,
    shutdown: watch::Receiver<bool>,
) {
    let limit = Arc::new(Semaphore::new(MLLP_MAX_CONNECTIONS));
    crate::accept::capped_accept_loop(listener, limit, shutdown, move |stream, shutdown| {
        serve_connection(stream, journal.clone(), Arc::clone(&settings), shutdown)
    })
    .await;
}

fn peer(stream: &TcpStream) -> String {
    stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default()
}

/// Serves one MLLP connection: frames in, ACKs out, until the peer closes, errs or idles.
pub async fn serve_connection(
    mut stream: TcpStream,
    journal: Journal,
    settings: Arc<MllpSettings>,
    mut shutdown: watch::Receiver<bool>,
) {
    let from = peer(&stream);
    let mut deframer = Deframer::new(settings.max_message_bytes);
    let mut buf = vec![0u8; READ_CHUNK];
    let channel_error = |error: String, raw: &[u8]| {
        let mut e = entry(
            "mllp",
            settings.tenant.clone(),
            Outcome::ChannelError { error },
        );
        e.http_request = format!("MLLP from {from}");
        e.raw_request = journal_text(raw);
        journal.record(e);
    };
    loop {
        let read = tokio::select! {
            r = tokio::time::timeout(settings.idle_timeout, stream.read(&mut buf)) => r,
            _ = shutdown.changed() => return,
        };
        let n = match read {
            Err(_) => {
                if deframer.in_frame() {
                    channel_error(
                        format!(
                            "slow peer: no byte for {} ms in the middle of a frame ({} bytes received)",
                            settings.idle_timeout.as_millis(),
                            deframer.pending()
                        ),
                        &[],
                    );
                }
                return;
            }
            Ok(Err(e)) => {
                channel_error(format!("read error: {e}"), &[]);
                return;
            }
            Ok(Ok(0)) => {
                if deframer.in_frame() {
                    channel_error(
                        format!(
                            "peer closed the connection in the middle of a frame ({} bytes received, no end block)",
                            deframer.pending()
                        ),
                        &[],
                    );
                }
                return;
            }
            Ok(Ok(n)) => n,
        };
        let chunk = buf.get(..n).unwrap_or_default();
        match deframer.push(chunk) {
            Ok(messages) => {
                for body in messages {
                    let started = Instant::now();
                    let a = answer(&body);
                    let ack_text = hl7::write(&a.ack);
                    let msh = a.message.as_ref().and_then(|m| m.segment("MSH"));
                    let facility = msh.map(|s| s.value(4).split('^').next().unwrap_or_default());
                    let tenant = facility
                        .and_then(|f| settings.tenants.iter().find(|t| *t == f))
                        .cloned()
                        .or_else(|| settings.tenant.clone());
                    let mut e = entry(
                        "mllp",
                        tenant,
                        Outcome::Ack {
                            code: a.code.as_str().into(),
                        },
                    );
                    e.http_request = format!("MLLP from {from}");
                    e.operation = operation(a.message.as_ref());
                    e.message_id = a
                        .message
                        .as_ref()
                        .and_then(|m| m.segment("MSH"))
                        .map(|s| s.value(10).to_owned());
                    e.content_type = Some("application/hl7-v2".into());
                    e.findings = a.findings.clone();
                    e.raw_request = journal_text(&body);
                    e.raw_response = journal_text(ack_text.as_bytes());
                    e.duration_us =
                        u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                    // Journalled first, answered second: nothing acknowledged is lost.
                    journal.record(e);
                    let out = frame(ack_text.as_bytes());
                    match tokio::time::timeout(MLLP_WRITE_TIMEOUT, stream.write_all(&out)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => {
                            channel_error(format!("cannot send the ACK: {e}"), &[]);
                            return;
                        }
                        Err(_) => {
                            channel_error(
                                format!(
                                    "slow peer: the ACK could not be written within {} ms",
                                    MLLP_WRITE_TIMEOUT.as_millis()
                                ),
                                &[],
                            );
                            return;
                        }
                    }
                }
            }
            Err(err) => {
                let reason = format!("MLLP framing error: {err}");
                channel_error(reason.clone(), chunk);
                let ack = build_ack(
                    None,
                    AckCode::Ar,
                    &[],
                    Some(&reason),
                    &format!("ACK{}", uuid::Uuid::new_v4().simple()),
                    &timestamp(),
                );
                let out = frame(hl7::write(&ack).as_bytes());
                let _ = tokio::time::timeout(MLLP_WRITE_TIMEOUT, stream.write_all(&out)).await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

/// Why a message could not be delivered or its ACK read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MllpSendError {
    /// The TCP connection failed.
    #[error("cannot connect to the MLLP peer {addr}: {source}")]
    Connect {
        /// Peer.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
    /// A stage took longer than its timeout.
    #[error("MLLP peer {addr}: {stage} took longer than {} ms", after.as_millis())]
    Timeout {
        /// Peer.
        addr: SocketAddr,
        /// `connecting`, `sending the message`, `waiting for the ACK`.
        stage: &'static str,
        /// The timeout.
        after: Duration,
    },
    /// An I/O error.
    #[error("MLLP peer {addr}: {stage}: {source}")]
    Io {
        /// Peer.
        addr: SocketAddr,
        /// Stage.
        stage: &'static str,
        /// Cause.
        source: std::io::Error,
    },
    /// The peer closed before a complete ACK frame.
    #[error("MLLP peer {addr} closed the connection {}", if *mid_frame { "in the middle of the ACK frame" } else { "without answering" })]
    PeerClosed {
        /// Peer.
        addr: SocketAddr,
        /// Whether a frame had started.
        mid_frame: bool,
    },
    /// The answer is not valid MLLP.
    #[error("MLLP peer {addr}: {source}")]
    Framing {
        /// Peer.
        addr: SocketAddr,
        /// The framing error.
        source: MllpError,
    },
    /// The answer is not an HL7 ACK.
    #[error("MLLP peer {addr} answered something that is not an HL7 ACK: {source}")]
    NotAck {
        /// Peer.
        addr: SocketAddr,
        /// Why.
        source: hl7::Hl7Error,
    },
    /// The message to send is larger than the limit.
    #[error("message of {size} bytes exceeds the limit of {max} bytes (MAX_MLLP_MESSAGE_BYTES)")]
    TooLarge {
        /// Size.
        size: usize,
        /// Limit.
        max: usize,
    },
}

/// The sender's timeouts.
#[derive(Debug, Clone, Copy)]
pub struct SendTimeouts {
    /// Connecting.
    pub connect: Duration,
    /// Writing the message.
    pub write: Duration,
    /// Waiting for the whole ACK.
    pub ack: Duration,
}

impl Default for SendTimeouts {
    fn default() -> Self {
        SendTimeouts {
            connect: MLLP_CONNECT_TIMEOUT,
            write: MLLP_WRITE_TIMEOUT,
            ack: MLLP_ACK_TIMEOUT,
        }
    }
}

/// A delivered message's acknowledgment.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// What the ACK says.
    pub summary: AckSummary,
    /// The ACK message.
    pub ack: Message,
}

/// Delivers one ER7 message to `addr` and reads its ACK.
pub async fn send(
    addr: SocketAddr,
    message: &[u8],
    timeouts: SendTimeouts,
) -> Result<Delivered, MllpSendError> {
    if message.len() > MAX_MLLP_MESSAGE_BYTES {
        return Err(MllpSendError::TooLarge {
            size: message.len(),
            max: MAX_MLLP_MESSAGE_BYTES,
        });
    }
    let timeout = |stage, after| MllpSendError::Timeout { addr, stage, after };
    let mut stream = tokio::time::timeout(timeouts.connect, TcpStream::connect(addr))
        .await
        .map_err(|_| timeout("connecting", timeouts.connect))?
        .map_err(|source| MllpSendError::Connect { addr, source })?;
    tokio::time::timeout(timeouts.write, stream.write_all(&frame(message)))
        .await
        .map_err(|_| timeout("sending the message", timeouts.write))?
        .map_err(|source| MllpSendError::Io {
            addr,
            stage: "sending the message",
            source,
        })?;
    let read_ack_frame = async {
        let mut deframer = Deframer::default();
        let mut buf = vec![0u8; READ_CHUNK];
        loop {
            let n = stream
                .read(&mut buf)
                .await
                .map_err(|source| MllpSendError::Io {
                    addr,
                    stage: "reading the ACK",
                    source,
                })?;
            if n == 0 {
                return Err(MllpSendError::PeerClosed {
                    addr,
                    mid_frame: deframer.in_frame(),
                });
            }
            let frames = deframer
                .push(buf.get(..n).unwrap_or_default())
                .map_err(|source| MllpSendError::Framing { addr, source })?;
            if let Some(first) = frames.into_iter().next() {
                return Ok(first);
            }
        }
    };
    let body = tokio::time::timeout(timeouts.ack, read_ack_frame)
        .await
        .map_err(|_| timeout("waiting for the ACK", timeouts.ack))??;
    let ack = hl7::parse(&body).map_err(|source| MllpSendError::NotAck { addr, source })?;
    let summary = read_ack(&ack).map_err(|source| MllpSendError::NotAck { addr, source })?;
    Ok(Delivered { summary, ack })
}
