//! Writes the seeds of the `datamatrix_image` fuzz target into DIR (the committed ones are in
//! `fuzz/corpus/datamatrix_image/`): the INS Datamatrix of the ins-rules.md §6 example as PNG
//! (grey, grey with alpha, RGB) and baseline JPEG images, encoded by the `image` crate, and a
//! blank PNG without a symbol. (The crate's JPEG encoder writes three components even for a grey
//! image, so one JPEG seed covers both.) Two pixels per module in PNG and three in JPEG (whose
//! lossy compression blurs the edges) keep each seed small (the fuzzer mutates every byte) and
//! readable.
//!
//! Usage: `cargo run -p insilab-fuzz-entries --example image_seeds -- DIR`

use std::io::Cursor;
use std::process::ExitCode;

mod seed_files;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GrayImage, ImageFormat};
use insilab_formats::datamatrix::encode_gray;
use seed_files::DOC_EXAMPLE;

/// JPEG quality of the seeds: high enough for the symbol to survive the compression.
const JPEG_QUALITY: u8 = 90;

fn grey(module_px: u32) -> Result<DynamicImage, String> {
    let (width, height, samples) =
        encode_gray(DOC_EXAMPLE, module_px).map_err(|e| e.to_string())?;
    GrayImage::from_raw(width, height, samples)
        .map(DynamicImage::ImageLuma8)
        .ok_or_else(|| "encode_gray gave fewer samples than its size".to_owned())
}

fn png(img: &DynamicImage) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

fn jpeg(img: &DynamicImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(img)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn seeds() -> seed_files::Seeds {
    let small = grey(2)?;
    let large = grey(3)?;
    let blank = DynamicImage::ImageLuma8(GrayImage::from_pixel(
        small.width(),
        small.height(),
        image::Luma([255]),
    ));
    Ok(vec![
        ("grey-2px.png", png(&small)?),
        (
            "grey-alpha-2px.png",
            png(&DynamicImage::ImageLumaA8(small.to_luma_alpha8()))?,
        ),
        (
            "rgb-2px.png",
            png(&DynamicImage::ImageRgb8(small.to_rgb8()))?,
        ),
        ("grey-3px.jpg", jpeg(&large)?),
        ("blank.png", png(&blank)?),
    ])
}

fn main() -> ExitCode {
    seed_files::main("image_seeds", seeds)
}
