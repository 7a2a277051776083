//! The INS Datamatrix (ins-rules.md §6): the payload ([`payload`]) and the ECC 200 symbol
//! ([`symbol`]: PNG/SVG out, PNG/JPEG in; [`pdf`]: the images embedded in a PDF page).

pub mod payload;
#[cfg(feature = "symbol")]
pub mod pdf;
#[cfg(feature = "symbol")]
pub mod symbol;

pub use payload::{
    Block, DmError, GS, HEADER, InsPayload, RawPayload, build, parse_payload, parse_raw,
};
#[cfg(feature = "symbol")]
pub use pdf::decode_pdf;
#[cfg(feature = "symbol")]
pub use symbol::{SymbolError, decode_image, encode_gray, encode_png, encode_svg};
