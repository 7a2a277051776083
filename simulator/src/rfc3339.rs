//! The journal's timestamps: the current UTC time in RFC 3339, the text `time` writes
//! (`2026-12-02T12:41:39.123456789Z`, the fraction without its trailing zeros, none when
//! zero).
//!
//! Every exchange stamps its entry. Formatting through `time` cost about as much as the
//! rest of the entry's bookkeeping, so each thread keeps the text of the current second
//! (`2026-12-02T12:41:39`) and writes only the fraction; a new second is formatted from its
//! date and time once per thread. Times `time` formats differently or not at all (before 1970,
//! after 9999) go through `time` itself.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Longest RFC 3339 time `time` writes (`-9999-12-31T23:59:59.999999999+23:59`), rounded up.
const RFC3339_MAX: usize = 48;

/// `YYYY-MM-DDTHH:MM:SS`.
const SECOND_LEN: usize = 19;

/// The last second 1 January 10000 00:00:00 UTC: beyond it the year takes five digits.
const LAST_FOUR_DIGIT_SECOND: u64 = 253_402_300_799;

thread_local! {
    /// This thread's last second (Unix time) and its text.
    static SECOND: Cell<(u64, [u8; SECOND_LEN])> = const { Cell::new((u64::MAX, [0; SECOND_LEN])) };
}

/// The current time in RFC 3339, formatted on the stack, for the exchange's journal entry,
/// which copies it into its slot without an allocation.
pub(crate) struct Rfc3339Now {
    buf: [u8; RFC3339_MAX],
    len: usize,
}

impl Rfc3339Now {
    pub(crate) fn new() -> Self {
        Self::at(SystemTime::now())
    }

    /// The text of `at`.
    fn at(at: SystemTime) -> Self {
        match at.duration_since(UNIX_EPOCH) {
            Ok(d) if d.as_secs() <= LAST_FOUR_DIGIT_SECOND => {
                Self::of_unix(d.as_secs(), d.subsec_nanos())
            }
            _ => Self::by_time(time::OffsetDateTime::from(at)),
        }
    }

    /// `secs` (at most [`LAST_FOUR_DIGIT_SECOND`]) and `nanos` since the Unix epoch.
    fn of_unix(secs: u64, nanos: u32) -> Self {
        let (cached, mut second) = SECOND.get();
        if cached != secs {
            let Some(text) = second_text(secs) else {
                let nanos = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
                return match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
                    Ok(at) => Self::by_time(at),
                    Err(_) => Rfc3339Now {
                        buf: [0; RFC3339_MAX],
                        len: 0,
                    },
                };
            };
            second = text;
            SECOND.set((secs, second));
        }
        let mut buf = [0u8; RFC3339_MAX];
        buf[..SECOND_LEN].copy_from_slice(&second);
        let mut len = SECOND_LEN;
        if nanos != 0 {
            // Nine digits, then the trailing zeros left out.
            let mut digits = [b'0'; 9];
            let mut n = nanos;
            for d in digits.iter_mut().rev() {
                *d = b'0' + (n % 10) as u8;
                n /= 10;
            }
            let kept = 9 - decimal_trailing_zeros(nanos);
            buf[len] = b'.';
            buf[len + 1..len + 1 + kept].copy_from_slice(&digits[..kept]);
            len += 1 + kept;
        }
        buf[len] = b'Z';
        Rfc3339Now { buf, len: len + 1 }
    }

    /// Through `time` (empty when it cannot format the time).
    fn by_time(at: time::OffsetDateTime) -> Self {
        let mut buf = [0u8; RFC3339_MAX];
        let mut out = std::io::Cursor::new(&mut buf[..]);
        // The length is where the writer stopped, not the count `format_into` returns: time
        // 0.3.55 leaves the fraction of a second out of that count.
        let len = match at.format_into(&mut out, &time::format_description::well_known::Rfc3339) {
            Ok(_) => usize::try_from(out.position()).unwrap_or(0),
            Err(_) => 0,
        };
        Rfc3339Now { buf, len }
    }

    pub(crate) fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

/// The current UTC time in RFC 3339, as a `String`.
pub(crate) fn now_rfc3339() -> String {
    Rfc3339Now::new().as_str().to_owned()
}

/// `YYYY-MM-DDTHH:MM:SS` of the Unix time `secs` (UTC).
fn second_text(secs: u64) -> Option<[u8; SECOND_LEN]> {
    let at = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?).ok()?;
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let mut text = *b"0000-00-00T00:00:00";
    let mut put = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            text[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, u32::from(u8::from(at.month())), 2);
    put(8, u32::from(at.day()), 2);
    put(11, u32::from(at.hour()), 2);
    put(14, u32::from(at.minute()), 2);
    put(17, u32::from(at.second()), 2);
    Some(text)
}

/// Decimal trailing zeros of a fraction's nanoseconds (at most 8: the value is not zero).
fn decimal_trailing_zeros(nanos: u32) -> usize {
    let (mut n, mut zeros) = (nanos, 0);
    while n != 0 && n % 10 == 0 && zeros < 8 {
        n /= 10;
        zeros += 1;
    }
    zeros
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_time(secs: i64, nanos: u32) -> String {
        let at = time::OffsetDateTime::from_unix_timestamp(secs).unwrap()
            + time::Duration::nanoseconds(i64::from(nanos));
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }

    proptest! {
        /// Any time is written as `time` writes it, whether this thread saw its second before
        /// or not.
        #[test]
        fn the_text_is_what_time_writes(
            secs in 0u64..=LAST_FOUR_DIGIT_SECOND,
            nanos in prop_oneof![0u32..1_000_000_000, (0u32..1000).prop_map(|n| n * 1_000_000), Just(0)],
        ) {
            let expected = by_time(i64::try_from(secs).unwrap(), nanos);
            prop_assert_eq!(Rfc3339Now::of_unix(secs, nanos).as_str().to_owned(), expected.clone());
            prop_assert_eq!(Rfc3339Now::of_unix(secs, nanos).as_str().to_owned(), expected.clone());
            let at = UNIX_EPOCH + std::time::Duration::new(secs, nanos);
            prop_assert_eq!(Rfc3339Now::at(at).as_str().to_owned(), expected);
        }
    }

    #[test]
    fn times_out_of_the_fast_range_go_through_time() {
        let before = UNIX_EPOCH - std::time::Duration::new(86_400, 5);
        assert_eq!(
            Rfc3339Now::at(before).as_str(),
            by_time(-86_401, 999_999_995)
        );
        let now = Rfc3339Now::new();
        assert!(
            now.as_str().ends_with('Z') && now.as_str().len() >= 20,
            "{}",
            now.as_str()
        );
    }

    #[test]
    fn a_new_second_on_the_same_thread_is_written_anew() {
        assert_eq!(Rfc3339Now::of_unix(0, 0).as_str(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Rfc3339Now::of_unix(1, 500).as_str(),
            "1970-01-01T00:00:01.0000005Z"
        );
        assert_eq!(
            Rfc3339Now::of_unix(LAST_FOUR_DIGIT_SECOND, 120_000_000).as_str(),
            "9999-12-31T23:59:59.12Z"
        );
    }
}
