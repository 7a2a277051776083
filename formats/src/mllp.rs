//! MLLP framing (HL7 v2 over TCP: `0x0B` message `0x1C 0x0D`) and HL7 ACKs, without I/O: the
//! listener and the sender of `insilab-simulator` feed bytes to a [`Deframer`] and write
//! [`frame`]s.

use insilab_core::rules::{Finding, Severity, rule};

use crate::hl7::er7::{Component, Field, Repetition};
use crate::hl7::{Delimiters, Message, Segment};

/// Start block.
pub const START_BLOCK: u8 = 0x0B;
/// End block (followed by [`CARRIAGE_RETURN`]).
pub const END_BLOCK: u8 = 0x1C;
/// Carriage return closing a frame.
pub const CARRIAGE_RETURN: u8 = 0x0D;
/// Largest message accepted inside a frame, bytes (the ER7 reader's own limit).
pub const MAX_MLLP_MESSAGE_BYTES: usize = crate::hl7::er7::MAX_MESSAGE_BYTES;
/// Most findings reported as ERR segments in one ACK.
pub const MAX_ACK_ERRORS: usize = 50;

/// Why a byte stream is not valid MLLP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MllpError {
    /// Bytes outside a frame (no start block where one is due).
    #[error("byte 0x{byte:02X} at offset {offset} outside a frame (expected the start block 0x0B)")]
    OutsideFrame {
        /// Offset in the stream.
        offset: u64,
        /// The byte.
        byte: u8,
    },
    /// End block not followed by a carriage return.
    #[error("end block 0x1C at offset {offset} is followed by 0x{byte:02X}, not 0x0D")]
    BadEnd {
        /// Offset of the byte after the end block.
        offset: u64,
        /// The byte.
        byte: u8,
    },
    /// A frame larger than the limit.
    #[error("frame exceeds the limit of {max} bytes (MAX_MLLP_MESSAGE_BYTES)")]
    TooLarge {
        /// The limit.
        max: usize,
    },
}

/// One message body, wrapped in a frame.
pub fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 3);
    out.push(START_BLOCK);
    out.extend_from_slice(message);
    out.push(END_BLOCK);
    out.push(CARRIAGE_RETURN);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Between,
    In,
    AfterEnd,
}

/// Cuts a byte stream into message bodies. Whitespace between frames is tolerated (some
/// senders add `\n` after the frame); anything else outside a frame is an error.
#[derive(Debug, Clone)]
pub struct Deframer {
    st: St,
    buf: Vec<u8>,
    offset: u64,
    max: usize,
}

impl Default for Deframer {
    fn default() -> Self {
        Deframer::new(MAX_MLLP_MESSAGE_BYTES)
    }
}

impl Deframer {
    /// A deframer accepting messages up to `max` bytes.
    pub fn new(max: usize) -> Deframer {
        Deframer {
            st: St::Between,
            buf: Vec::new(),
            offset: 0,
            max,
        }
    }

    /// Whether a frame has started and not ended (a peer closing now closes mid-frame).
    pub fn in_frame(&self) -> bool {
        self.st != St::Between
    }

    /// Bytes of the current, unfinished frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Feeds bytes; returns the messages completed by them. After an error the deframer is
    /// reset to between frames (the caller usually closes the connection).
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, MllpError> {
        let mut out = Vec::new();
        for &b in bytes {
            let at = self.offset;
            self.offset += 1;
            match self.st {
                St::Between => {
                    if b == START_BLOCK {
                        self.st = St::In;
                        self.buf.clear();
                    } else if !b.is_ascii_whitespace() {
                        self.st = St::Between;
                        return Err(MllpError::OutsideFrame {
                            offset: at,
                            byte: b,
                        });
                    }
                }
                St::In => {
                    if b == END_BLOCK {
                        self.st = St::AfterEnd;
                    } else {
                        if self.buf.len() >= self.max {
                            self.st = St::Between;
                            self.buf = Vec::new();
                            return Err(MllpError::TooLarge { max: self.max });
                        }
                        self.buf.push(b);
                    }
                }
                St::AfterEnd => {
                    if b == CARRIAGE_RETURN {
                        self.st = St::Between;
                        out.push(std::mem::take(&mut self.buf));
                    } else {
                        self.st = St::Between;
                        self.buf.clear();
                        return Err(MllpError::BadEnd {
                            offset: at,
                            byte: b,
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The acknowledgment code (MSA-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    /// Application accept.
    Aa,
    /// Application error: read, but rules failed.
    Ae,
    /// Application reject: not readable or not a message this receiver handles.
    Ar,
}

impl AckCode {
    /// `AA`, `AE`, `AR`.
    pub fn as_str(self) -> &'static str {
        match self {
            AckCode::Aa => "AA",
            AckCode::Ae => "AE",
            AckCode::Ar => "AR",
        }
    }

    /// Parses MSA-1.
    pub fn parse(s: &str) -> Option<AckCode> {
        match s {
            "AA" | "CA" => Some(AckCode::Aa),
            "AE" | "CE" => Some(AckCode::Ae),
            "AR" | "CR" => Some(AckCode::Ar),
            _ => None,
        }
    }

    /// The code for these findings: AE when one is above advice, AA otherwise.
    pub fn for_findings(findings: &[Finding]) -> AckCode {
        if findings.iter().any(|f| f.severity != Severity::Advice) {
            AckCode::Ae
        } else {
            AckCode::Aa
        }
    }
}

fn text(v: &str) -> Field {
    if v.is_empty() {
        Vec::new()
    } else {
        vec![vec![vec![v.to_owned()]]]
    }
}

fn comps(values: &[&str]) -> Field {
    let rep: Repetition = values
        .iter()
        .map(|v| -> Component { vec![(*v).to_owned()] })
        .collect();
    vec![rep]
}

/// ERR-2 location `segment^sequence^field` from a finding path such as `PID-3(2).4.2`.
fn err_location(path: &str) -> Option<(String, String)> {
    let (seg, rest) = path.split_once('-')?;
    if seg.len() != 3 {
        return None;
    }
    let field: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!field.is_empty()).then(|| (seg.to_owned(), field))
}

/// The ACK of a message: MSH (sender and receiver swapped, `ACK^<event>^ACK`), MSA (code,
/// the original control id, the failing rule ids as text), and one ERR per finding (ERR-2 the
/// location, ERR-3 `<rule id>^<summary>^INSILAB`, ERR-4 E or W, ERR-8 the message). `original`
/// is `None` when the message could not be read (then `reason` explains the AR).
pub fn build_ack(
    original: Option<&Message>,
    code: AckCode,
    findings: &[Finding],
    reason: Option<&str>,
    control_id: &str,
    timestamp: &str,
) -> Message {
    let msh_of = |n: usize| {
        original
            .and_then(|m| m.segment("MSH"))
            .map(|s| s.value(n).to_owned())
    };
    let event = original
        .and_then(|m| m.segment("MSH"))
        .map(|s| s.component(9, 1, 2).to_owned())
        .unwrap_or_default();
    let mut msh = Segment::new("MSH");
    msh.set(3, text(&msh_of(5).unwrap_or_else(|| "INSILAB".into())));
    msh.set(4, text(&msh_of(6).unwrap_or_default()));
    msh.set(5, text(&msh_of(3).unwrap_or_default()));
    msh.set(6, text(&msh_of(4).unwrap_or_default()));
    msh.set(7, text(timestamp));
    msh.set(9, comps(&["ACK", &event, "ACK"]));
    msh.set(10, text(control_id));
    msh.set(11, text(&msh_of(11).unwrap_or_else(|| "P".into())));
    msh.set(12, text(&msh_of(12).unwrap_or_else(|| "2.5".into())));
    msh.set(18, text("UNICODE UTF-8"));
    let mut ids: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity != Severity::Advice)
        .map(|f| f.rule_id.as_str())
        .collect();
    ids.dedup();
    let msa_text = match (code, reason) {
        (AckCode::Ar, Some(r)) => r.chars().take(200).collect(),
        _ => ids.join(" "),
    };
    let mut msa = Segment::new("MSA");
    msa.set(1, text(code.as_str()));
    msa.set(2, text(&msh_of(10).unwrap_or_default()));
    msa.set(3, text(&msa_text));
    let mut segments = vec![msh, msa];
    for f in findings.iter().take(MAX_ACK_ERRORS) {
        let mut err = Segment::new("ERR");
        if let Some((seg, field)) = f.path.as_deref().and_then(err_location) {
            err.set(2, comps(&[&seg, "1", &field]));
        }
        err.set(
            3,
            comps(&[f.rule_id.as_str(), rule(f.rule_id).summary, "INSILAB"]),
        );
        err.set(
            4,
            text(if f.severity == Severity::Advice {
                "W"
            } else {
                "E"
            }),
        );
        err.set(8, text(&f.message));
        segments.push(err);
    }
    if code == AckCode::Ar
        && let Some(r) = reason
    {
        let mut err = Segment::new("ERR");
        err.set(3, comps(&["207", "Application internal error", "HL70357"]));
        err.set(4, text("E"));
        err.set(8, text(r));
        segments.push(err);
    }
    Message {
        delimiters: Delimiters::default(),
        segments,
    }
}

/// What an ACK says: MSA-1, MSA-2 and the rule ids of its ERR segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckSummary {
    /// MSA-1.
    pub code: AckCode,
    /// MSA-2: the control id acknowledged.
    pub control_id: String,
    /// ERR-3.1 of each ERR segment.
    pub errors: Vec<String>,
}

/// Reads an ACK message.
pub fn read_ack(msg: &Message) -> Result<AckSummary, crate::hl7::Hl7Error> {
    use crate::hl7::er7::Location;
    let at = |seg: &str, field| {
        Box::new(Location {
            segment: seg.into(),
            field: Some(field),
            ..Location::default()
        })
    };
    let msa = msg
        .segment("MSA")
        .ok_or(crate::hl7::Hl7Error::Missing { at: at("MSA", 1) })?;
    let code = AckCode::parse(msa.value(1)).ok_or_else(|| crate::hl7::Hl7Error::Invalid {
        at: at("MSA", 1),
        found: msa.value(1).chars().take(32).collect(),
        reason: "acknowledgment code is not AA, AE or AR",
    })?;
    Ok(AckSummary {
        code,
        control_id: msa.value(2).to_owned(),
        errors: msg
            .segments
            .iter()
            .filter(|s| s.id == "ERR")
            .map(|s| s.component(3, 1, 1).to_owned())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_across_reads_and_back_to_back() {
        let mut d = Deframer::default();
        let mut stream = frame(b"MSH|one");
        stream.extend(frame(b"MSH|two"));
        stream.push(b'\n');
        let (a, b) = stream.split_at(5);
        assert!(d.push(a).expect("ok").is_empty());
        assert!(d.in_frame());
        let got = d.push(b).expect("ok");
        assert_eq!(got, vec![b"MSH|one".to_vec(), b"MSH|two".to_vec()]);
        assert!(!d.in_frame());
    }

    #[test]
    fn framing_errors_are_typed() {
        assert_eq!(
            Deframer::default().push(b"MSH|"),
            Err(MllpError::OutsideFrame {
                offset: 0,
                byte: b'M'
            })
        );
        assert_eq!(
            Deframer::default().push(b"\x0bMSH\x1cX"),
            Err(MllpError::BadEnd {
                offset: 5,
                byte: b'X'
            })
        );
        let mut small = Deframer::new(4);
        assert_eq!(
            small.push(b"\x0bMSH|^~"),
            Err(MllpError::TooLarge { max: 4 })
        );
    }
}
