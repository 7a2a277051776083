//! PDF pages carrying the INS Datamatrix: the images embedded in the document are found with
//! `lopdf` (no rasteriser: a symbol drawn with vector paths is not read) and each is searched
//! for a Data Matrix as a PNG or JPEG page is ([`super::symbol`]).
//!
//! Read: image XObjects whose data is JPEG (`DCTDecode`), or samples (`FlateDecode`, other
//! lopdf filters, or none) of 8 bits per component in a grey or RGB colour space, or of 1 bit
//! in grey (a black-and-white scan, an image mask). Anything else is passed over and said so.

use lopdf::{Document, Object, Stream};

use super::symbol::{MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, SymbolError, decode_luma};

/// Most images of one PDF searched for a symbol.
pub const MAX_PDF_IMAGES: usize = 64;
/// Largest stream decompressed while the PDF is loaded (object and cross-reference streams).
pub const MAX_PDF_STREAM_BYTES: usize = 16 * 1024 * 1024;

/// True when `bytes` start as a PDF file does (`%PDF-`).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// A grey image: samples row by row, one byte each.
struct Luma {
    width: u32,
    height: u32,
    samples: Vec<u8>,
}

/// Finds and decodes the Data Matrix of a PDF page: the first embedded image that carries one.
pub fn decode_pdf(bytes: &[u8]) -> Result<String, SymbolError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(SymbolError::TooLarge {
            size: bytes.len(),
            max: MAX_IMAGE_BYTES,
        });
    }
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_PDF_STREAM_BYTES),
        ..lopdf::LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options)
        .map_err(|e| SymbolError::Image(format!("not a readable PDF: {e}")))?;
    let images: Vec<&Stream> = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| {
            s.dict
                .get(b"Subtype")
                .and_then(Object::as_name)
                .is_ok_and(|n| n == b"Image")
        })
        .collect();
    if images.is_empty() {
        return Err(SymbolError::NotFound(
            "the PDF embeds no image (a symbol drawn with vector paths is not read: print the Datamatrix as an image)".into(),
        ));
    }
    let mut passed_over = Vec::new();
    for (index, stream) in images.iter().take(MAX_PDF_IMAGES).enumerate() {
        match luma_of(&doc, stream) {
            Ok(img) => {
                if let Ok(payload) = decode_luma(img.samples, img.width, img.height) {
                    return Ok(payload);
                }
            }
            Err(why) => passed_over.push(format!("image {}: {why}", index + 1)),
        }
    }
    let searched = images.len().min(MAX_PDF_IMAGES);
    let mut message = format!("none of the {searched} images of the PDF carries a Data Matrix");
    if images.len() > MAX_PDF_IMAGES {
        message.push_str(&format!(
            " ({} more not searched: MAX_PDF_IMAGES)",
            images.len() - MAX_PDF_IMAGES
        ));
    }
    if !passed_over.is_empty() {
        message.push_str(&format!("; not read: {}", passed_over.join("; ")));
    }
    Err(SymbolError::NotFound(message))
}

fn integer(doc: &Document, stream: &Stream, key: &[u8]) -> Option<i64> {
    stream
        .dict
        .get_deref(key, doc)
        .ok()
        .and_then(|o| o.as_i64().ok())
}

/// Components per sample of a colour space: 1 grey, 3 RGB; `None` for the others.
fn components(doc: &Document, space: &Object) -> Option<usize> {
    let (_, space) = doc.dereference(space).ok()?;
    match space {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Some(1),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Some(3),
            _ => None,
        },
        Object::Array(parts) => match parts.first().and_then(|p| p.as_name().ok())? {
            b"CalGray" => Some(1),
            b"CalRGB" => Some(3),
            b"ICCBased" => {
                let (_, profile) = doc.dereference(parts.get(1)?).ok()?;
                match profile
                    .as_stream()
                    .ok()?
                    .dict
                    .get(b"N")
                    .ok()?
                    .as_i64()
                    .ok()?
                {
                    1 => Some(1),
                    3 => Some(3),
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    }
}

fn luma_of(doc: &Document, stream: &Stream) -> Result<Luma, String> {
    let dim = |key: &[u8]| {
        integer(doc, stream, key)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("no valid /{}", String::from_utf8_lossy(key)))
    };
    let (width, height) = (dim(b"Width")?, dim(b"Height")?);
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_IMAGE_PIXELS {
        return Err(format!(
            "{width}x{height} pixels, more than MAX_IMAGE_PIXELS ({MAX_IMAGE_PIXELS})"
        ));
    }
    let filters = stream.filters().unwrap_or_default();
    if filters.last() == Some(&&b"DCTDecode"[..]) {
        if filters.len() > 1 {
            return Err("JPEG data behind another filter is not read".into());
        }
        let img = image::load_from_memory_with_format(&stream.content, image::ImageFormat::Jpeg)
            .map_err(|e| format!("JPEG data cannot be read: {e}"))?
            .to_luma8();
        let (width, height) = img.dimensions();
        return Ok(Luma {
            width,
            height,
            samples: img.into_raw(),
        });
    }
    if let Some(other) = filters
        .iter()
        .find(|f| matches!(**f, b"JPXDecode" | b"JBIG2Decode" | b"CCITTFaxDecode"))
    {
        return Err(format!(
            "{} data is not read (JPEG, Flate or raw samples are)",
            String::from_utf8_lossy(other)
        ));
    }
    let mask = stream
        .dict
        .get(b"ImageMask")
        .and_then(Object::as_bool)
        .unwrap_or(false);
    let bits = if mask {
        1
    } else {
        integer(doc, stream, b"BitsPerComponent").unwrap_or(8)
    };
    let comps = if mask {
        1
    } else {
        let space = stream
            .dict
            .get(b"ColorSpace")
            .map_err(|_| "no /ColorSpace".to_owned())?;
        components(doc, space).ok_or("a colour space other than grey or RGB")?
    };
    let (w, h) = (width as usize, height as usize);
    let row = match (bits, comps) {
        (8, c) => w * c,
        (1, 1) => w.div_ceil(8),
        (b, c) => {
            return Err(format!(
                "{b} bits per component with {c} components is not read (8, or 1 in grey)"
            ));
        }
    };
    let expected = row * h;
    let data = stream
        .decompressed_content_with_limit(expected)
        .map_err(|e| format!("samples cannot be decompressed: {e}"))?;
    if data.len() < expected {
        return Err(format!(
            "{} bytes of samples, {expected} expected for {width}x{height}",
            data.len()
        ));
    }
    let samples: Vec<u8> = match (bits, comps) {
        (8, 1) => data[..expected].to_vec(),
        (8, _) => data[..expected]
            .chunks_exact(3)
            .map(|p| {
                let y =
                    (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000;
                u8::try_from(y).unwrap_or(u8::MAX)
            })
            .collect(),
        _ => {
            // 1 bit: 0 is black (grey) or painted (an image mask, painted in the fill colour).
            let mut out = Vec::with_capacity(w * h);
            for r in data[..expected].chunks_exact(row) {
                for x in 0..w {
                    let bit = (r[x / 8] >> (7 - (x % 8))) & 1;
                    out.push(if bit == 0 { 0 } else { 255 });
                }
            }
            out
        }
    };
    Ok(Luma {
        width,
        height,
        samples,
    })
}
