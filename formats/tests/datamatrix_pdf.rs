//! PDF pages carrying the INS Datamatrix: a one-page PDF written by hand (testkit) embedding the
//! symbol as Flate, JPEG, raw RGB and 1-bit mask images decodes back; a PDF without an image, an
//! unreadable one and an oversized image are typed errors; Poppler's `pdfimages` (independent
//! oracle) extracts from our test PDF the same image we read; no input panics the reader.

use std::io::Write as _;

use image::{DynamicImage, GrayImage};
use insilab_formats::datamatrix::{SymbolError, decode_image, decode_pdf, encode_gray};
use insilab_testkit::{PDFIMAGES, PdfImage, one_bit_rows, pdf_with_image};
use proptest::prelude::*;

/// The example of ins-rules.md §6 (PAT-TROIS DOMINIQUE).
const DOC_EXAMPLE: &str = "IS010000000000000000000000S1279035121518989S21.2.250.1.213.1.4.10S3DOMINIQUE\u{1d}S4PAT-TROIS\u{1d}S5FS628-03-1979S763220";

fn flate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).expect("compress");
    z.finish().expect("compress")
}

fn gray_pdf() -> Vec<u8> {
    let (width, height, samples) = encode_gray(DOC_EXAMPLE, 4).expect("symbol");
    pdf_with_image(&PdfImage {
        width,
        height,
        color_space: Some("/DeviceGray"),
        bits: 8,
        filter: Some("/FlateDecode"),
        data: &flate(&samples),
    })
}

#[test]
fn a_flate_grey_image_decodes_through_the_pdf_and_through_decode_image() {
    let pdf = gray_pdf();
    assert_eq!(decode_pdf(&pdf).expect("decodes"), DOC_EXAMPLE);
    // `decode_image` (what the drop folder and `insilab lint` call) recognises a PDF.
    assert_eq!(decode_image(&pdf).expect("decodes"), DOC_EXAMPLE);
    assert_eq!(
        insilab_formats::detect::sniff(&pdf),
        Some(insilab_formats::detect::Carrier::DatamatrixImage)
    );
}

#[test]
fn a_jpeg_image_decodes() {
    let (width, height, samples) = encode_gray(DOC_EXAMPLE, 5).expect("symbol");
    let img = GrayImage::from_raw(width, height, samples).expect("image");
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&DynamicImage::ImageLuma8(img))
        .expect("jpeg");
    let pdf = pdf_with_image(&PdfImage {
        width,
        height,
        color_space: Some("/DeviceGray"),
        bits: 8,
        filter: Some("/DCTDecode"),
        data: &jpeg,
    });
    assert_eq!(decode_pdf(&pdf).expect("decodes"), DOC_EXAMPLE);
}

#[test]
fn raw_rgb_and_one_bit_mask_images_decode() {
    let (width, height, samples) = encode_gray(DOC_EXAMPLE, 4).expect("symbol");
    let rgb: Vec<u8> = samples.iter().flat_map(|&v| [v, v, v]).collect();
    let pdf = pdf_with_image(&PdfImage {
        width,
        height,
        color_space: Some("/DeviceRGB"),
        bits: 8,
        filter: None,
        data: &rgb,
    });
    assert_eq!(decode_pdf(&pdf).expect("rgb decodes"), DOC_EXAMPLE);
    // 1 bit per sample, rows padded to a byte; 0 paints (black).
    let bits = one_bit_rows(&samples, width, height);
    let pdf = pdf_with_image(&PdfImage {
        width,
        height,
        color_space: None,
        bits: 1,
        filter: Some("/FlateDecode"),
        data: &flate(&bits),
    });
    assert_eq!(decode_pdf(&pdf).expect("mask decodes"), DOC_EXAMPLE);
}

#[test]
fn no_image_an_unreadable_pdf_and_an_oversized_image_are_typed_errors() {
    let blank = String::from_utf8_lossy(&gray_pdf()).replace("/Subtype /Image", "/Subtype /Form");
    // The replacement keeps every byte offset (same length), so the file still reads.
    let no_image = decode_pdf(blank.as_bytes()).expect_err("no image");
    assert!(
        matches!(&no_image, SymbolError::NotFound(m) if m.contains("embeds no image")),
        "{no_image}"
    );
    let garbage = decode_pdf(b"%PDF-1.7\nnothing here\n").expect_err("garbage");
    assert!(
        matches!(&garbage, SymbolError::Image(m) if m.contains("not a readable PDF")),
        "{garbage}"
    );
    let huge = pdf_with_image(&PdfImage {
        width: 100_000,
        height: 100_000,
        color_space: Some("/DeviceGray"),
        bits: 8,
        filter: Some("/FlateDecode"),
        data: &flate(&[255; 16]),
    });
    let err = decode_pdf(&huge).expect_err("oversized");
    assert!(err.to_string().contains("MAX_IMAGE_PIXELS"), "{err}");
    let truncated = pdf_with_image(&PdfImage {
        width: 300,
        height: 300,
        color_space: Some("/DeviceGray"),
        bits: 8,
        filter: Some("/FlateDecode"),
        data: &flate(&[255; 16]),
    });
    let err = decode_pdf(&truncated).expect_err("too few samples");
    assert!(err.to_string().contains("90000 expected"), "{err}");
}

/// Independent oracle: Poppler's `pdfimages` reads our test PDF and extracts the same 8-bit grey
/// image, which decodes to the same payload.
#[test]
fn pdfimages_extracts_the_image_we_read() {
    if !PDFIMAGES.require("pdfimages_extracts_the_image_we_read") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("page.pdf");
    std::fs::write(&path, gray_pdf()).expect("write");
    let (width, height, samples) = encode_gray(DOC_EXAMPLE, 4).expect("symbol");
    let out = std::process::Command::new("pdfimages")
        .arg("-png")
        .arg(&path)
        .arg(dir.path().join("img"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(dir.path().join("img-000.png")).expect("one image extracted");
    let extracted = image::load_from_memory(&png).expect("png").to_luma8();
    assert_eq!(extracted.dimensions(), (width, height));
    assert_eq!(extracted.into_raw(), samples);
    assert_eq!(decode_image(&png).expect("decodes"), DOC_EXAMPLE);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn never_panics_on_arbitrary_pdf_like_bytes(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"%PDF-1.4\n".to_vec();
        bytes.extend_from_slice(&tail);
        let _ = decode_pdf(&bytes);
    }

    #[test]
    fn never_panics_on_mutations_of_a_valid_pdf(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut pdf = gray_pdf();
        for (at, byte) in edits {
            let i = at.index(pdf.len());
            pdf[i] = byte;
        }
        let _ = decode_pdf(&pdf);
    }
}
