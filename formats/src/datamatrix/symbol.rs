//! The ECC 200 symbol: [`encode_png`] / [`encode_svg`] with the `datamatrix` crate (square
//! symbols, quiet zone of [`QUIET_ZONE`] modules), [`decode_image`] from PNG or JPEG bytes with
//! `rxing` (try-harder mode, so that a photographed or scanned page reads, not only a clean
//! symbol).

use std::io::Cursor;

use datamatrix::{DataMatrix, SymbolList};
use rxing::{BarcodeFormat, DecodeHintValue, DecodeHints};

/// Quiet zone around the symbol, in modules (the spec asks for at least 1).
pub const QUIET_ZONE: usize = 2;
/// Default size of one module in pixels (PNG) or user units (SVG).
pub const MODULE_PX: u32 = 8;
/// Largest image decoded, in pixels (width × height), to bound memory and time.
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// Largest image file decoded, in bytes.
pub const MAX_IMAGE_BYTES: usize = 32 * 1024 * 1024;

/// Why a symbol cannot be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SymbolError {
    /// The payload does not fit a Data Matrix or cannot be encoded.
    #[error("payload cannot be encoded as a Data Matrix: {0}")]
    Encode(String),
    /// The image file is larger than [`MAX_IMAGE_BYTES`].
    #[error("image of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Size, bytes.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// The image has more pixels than [`MAX_IMAGE_PIXELS`].
    #[error("image of {width}x{height} pixels exceeds the limit of {max} pixels")]
    TooManyPixels {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Limit.
        max: u64,
    },
    /// Not a PNG or JPEG the `image` crate can read.
    #[error("image cannot be read: {0}")]
    Image(String),
    /// No Data Matrix found in the image.
    #[error("no Data Matrix found in the image: {0}")]
    NotFound(String),
}

/// Encodes the payload bytes as they are: the INS payload is ASCII, and `encode_str` would add a
/// UTF-8 ECI designator that other readers (libdmtx) print as a stray character.
fn matrix(payload: &str) -> Result<datamatrix::placement::Bitmap<bool>, SymbolError> {
    if !payload.is_ascii() {
        return Err(SymbolError::Encode(
            "the INS payload is ASCII only (upper-case traits, digits, GS)".into(),
        ));
    }
    let code = DataMatrix::encode(payload.as_bytes(), SymbolList::default().enforce_square())
        .map_err(|e| SymbolError::Encode(format!("{e:?}")))?;
    Ok(code.bitmap())
}

/// The symbol as a grey-scale PNG, `module_px` pixels per module.
pub fn encode_png(payload: &str, module_px: u32) -> Result<Vec<u8>, SymbolError> {
    let img = gray_image(payload, module_px)?;
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| SymbolError::Encode(e.to_string()))?;
    Ok(out.into_inner())
}

/// The symbol as grey samples (one byte each, row by row, 0 black, 255 white), `module_px`
/// pixels per module: width, height and samples (to embed in another document, a PDF page).
pub fn encode_gray(payload: &str, module_px: u32) -> Result<(u32, u32, Vec<u8>), SymbolError> {
    let img = gray_image(payload, module_px)?;
    let (w, h) = img.dimensions();
    Ok((w, h, img.into_raw()))
}

fn gray_image(payload: &str, module_px: u32) -> Result<image::GrayImage, SymbolError> {
    let bitmap = matrix(payload)?;
    let m = module_px.max(1);
    let q = u32::try_from(QUIET_ZONE).unwrap_or(2);
    let w = u32::try_from(bitmap.width()).map_err(|e| SymbolError::Encode(e.to_string()))?;
    let h = u32::try_from(bitmap.height()).map_err(|e| SymbolError::Encode(e.to_string()))?;
    let mut img =
        image::GrayImage::from_pixel((w + 2 * q) * m, (h + 2 * q) * m, image::Luma([255]));
    for (x, y) in bitmap.pixels() {
        let (x, y) = (u32::try_from(x).unwrap_or(0), u32::try_from(y).unwrap_or(0));
        for dy in 0..m {
            for dx in 0..m {
                img.put_pixel((x + q) * m + dx, (y + q) * m + dy, image::Luma([0]));
            }
        }
    }
    Ok(img)
}

/// The symbol as an SVG document, one `<rect>` per dark module, `module` user units per module.
pub fn encode_svg(payload: &str, module: u32) -> Result<String, SymbolError> {
    let bitmap = matrix(payload)?;
    let m = module.max(1) as usize;
    let (w, h) = (
        (bitmap.width() + 2 * QUIET_ZONE) * m,
        (bitmap.height() + 2 * QUIET_ZONE) * m,
    );
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" shape-rendering=\"crispEdges\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n"
    );
    for (x, y) in bitmap.pixels() {
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{m}\" height=\"{m}\"/>\n",
            (x + QUIET_ZONE) * m,
            (y + QUIET_ZONE) * m
        ));
    }
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// Finds and decodes the Data Matrix in a PNG or JPEG image (a whole page is fine), or in the
/// images a PDF page embeds ([`super::pdf`]). Returns the payload text; GS comes back as
/// `\u{1d}`.
pub fn decode_image(bytes: &[u8]) -> Result<String, SymbolError> {
    if super::pdf::is_pdf(bytes) {
        return super::pdf::decode_pdf(bytes);
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(SymbolError::TooLarge {
            size: bytes.len(),
            max: MAX_IMAGE_BYTES,
        });
    }
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| SymbolError::Image(e.to_string()))?;
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| SymbolError::Image(e.to_string()))?;
    if u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err(SymbolError::TooManyPixels {
            width,
            height,
            max: MAX_IMAGE_PIXELS,
        });
    }
    let img = image::load_from_memory(bytes).map_err(|e| SymbolError::Image(e.to_string()))?;
    let luma = img.to_luma8();
    let (w, h) = luma.dimensions();
    decode_luma(luma.into_raw(), w, h)
}

/// Finds and decodes the Data Matrix in grey samples (`w` × `h`, one byte each, row by row).
pub(crate) fn decode_luma(samples: Vec<u8>, w: u32, h: u32) -> Result<String, SymbolError> {
    let mut hints = DecodeHints::default().with(DecodeHintValue::TryHarder(true));
    rxing::helpers::detect_in_luma_with_hints(
        samples,
        w,
        h,
        Some(BarcodeFormat::DATA_MATRIX),
        &mut hints,
    )
    .map(|r| r.getText().to_owned())
    .map_err(|e| SymbolError::NotFound(e.to_string()))
}
