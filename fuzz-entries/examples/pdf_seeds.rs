//! Writes the seeds of the `pdf_datamatrix` fuzz target into DIR (the committed ones are in
//! `fuzz/corpus/pdf_datamatrix/`): one-page PDFs written by hand (`insilab_testkit`) embedding
//! the INS Datamatrix of the ins-rules.md §6 example as Flate grey and RGB images, a 1-bit
//! Flate image mask and raw grey samples, and a page whose only XObject is not an image. One or
//! two pixels per module keep each seed small (the fuzzer mutates every byte).
//!
//! Usage: `cargo run -p insilab-fuzz-entries --example pdf_seeds -- DIR`

use std::io::Write as _;
use std::process::ExitCode;

mod seed_files;

use insilab_formats::datamatrix::encode_gray;
use insilab_testkit::{PdfImage, one_bit_rows, pdf_with_image};
use seed_files::DOC_EXAMPLE;

fn flate(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data)?;
    z.finish()
}

fn seeds() -> seed_files::Seeds {
    let (width, height, samples) = encode_gray(DOC_EXAMPLE, 2).map_err(|e| e.to_string())?;
    let grey = flate(&samples).map_err(|e| e.to_string())?;
    let rgb: Vec<u8> = samples.iter().flat_map(|&v| [v, v, v]).collect();
    // 1 bit per sample, rows padded to a byte; 0 paints (black).
    let mask = flate(&one_bit_rows(&samples, width, height)).map_err(|e| e.to_string())?;
    let page = |color_space, bits, filter, data: &[u8]| {
        pdf_with_image(&PdfImage {
            width,
            height,
            color_space,
            bits,
            filter,
            data,
        })
    };
    let rgb = flate(&rgb).map_err(|e| e.to_string())?;
    let flate_grey = page(Some("/DeviceGray"), 8, Some("/FlateDecode"), &grey);
    // The same page, its image turned into a form (same length: the offsets stay right).
    let no_image = replace(&flate_grey, b"/Subtype /Image", b"/Subtype /Form ");
    // Raw samples (no filter) at one pixel per module, to stay small.
    let (small_width, small_height, small) =
        encode_gray(DOC_EXAMPLE, 1).map_err(|e| e.to_string())?;
    let raw_grey = pdf_with_image(&PdfImage {
        width: small_width,
        height: small_height,
        color_space: Some("/DeviceGray"),
        bits: 8,
        filter: None,
        data: &small,
    });
    Ok(vec![
        ("flate-grey.pdf", flate_grey),
        (
            "flate-rgb.pdf",
            page(Some("/DeviceRGB"), 8, Some("/FlateDecode"), &rgb),
        ),
        (
            "flate-mask-1bit.pdf",
            page(None, 1, Some("/FlateDecode"), &mask),
        ),
        ("raw-grey.pdf", raw_grey),
        ("no-image.pdf", no_image),
    ])
}

/// `bytes` with the first `from` replaced by `to`.
fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    match bytes.windows(from.len()).position(|w| w == from) {
        Some(at) => [&bytes[..at], to, &bytes[at + from.len()..]].concat(),
        None => bytes.to_vec(),
    }
}

fn main() -> ExitCode {
    seed_files::main("pdf_seeds", seeds)
}
