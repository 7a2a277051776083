//! INS Datamatrix: payload build/parse, symbol round trips through PNG, SVG and a degraded
//! JPEG photo, and Debian's `dmtxread` as an independent decoder.

use insilab_core::rules::RuleId;
use std::process::Command;

use image::{DynamicImage, GrayImage, Luma};
use insilab_core::ins::{Cog, Ins, Matricule, Oid, Sex};
use insilab_formats::datamatrix::payload::{FieldId, parse_raw};
use insilab_formats::datamatrix::{
    DmError, GS, InsPayload, build, decode_image, encode_png, encode_svg, parse_payload,
};
use insilab_formats::rules::datamatrix::{check_against, check_payload};
use proptest::prelude::*;
use time::macros::date;

/// The example of ins-rules.md §6, composed for the ANS test identity PAT-TROIS DOMINIQUE.
const DOC_EXAMPLE: &str = "IS010000000000000000000000S1279035121518989S21.2.250.1.213.1.4.10S3DOMINIQUE\u{1d}S4PAT-TROIS\u{1d}S5FS628-03-1979S763220";

fn pat_trois() -> InsPayload {
    InsPayload {
        ins: Ins::new(
            Matricule::parse("279035121518989").expect("valid"),
            Oid::NirTest,
        ),
        first_names: vec!["DOMINIQUE".into()],
        birth_name: "PAT-TROIS".into(),
        sex: Sex::F,
        birth_date: date!(1979 - 03 - 28),
        birthplace: Some(Cog::parse("63220").expect("cog")),
    }
}

#[test]
fn builds_the_documented_example_byte_for_byte() {
    assert_eq!(build(&pat_trois()), DOC_EXAMPLE);
    assert_eq!(parse_payload(DOC_EXAMPLE), Ok(pat_trois()));
    // Only the advisory test-OID finding.
    let ids: Vec<_> = check_payload(DOC_EXAMPLE)
        .iter()
        .map(|f| f.rule_id)
        .collect();
    assert_eq!(ids, vec!["INS-DM-012"]);
}

#[test]
fn gs_rule_for_oid_lengths_and_last_field() {
    let mut p = pat_trois();
    p.ins.oid = Oid::Nir; // 19 characters: GS due
    let text = build(&p);
    assert!(text.contains("S21.2.250.1.213.1.4.8\u{1d}S3"), "{text:?}");
    p.birthplace = None; // S6 last: no GS at the end either way
    let text = build(&p);
    assert!(text.ends_with("S628-03-1979"), "{text:?}");
    assert!(check_payload(&text).is_empty());
    // A 100-character birth name takes no GS.
    p.birth_name = "A".repeat(100);
    let text = build(&p);
    assert!(text.contains(&format!("S4{}S5", "A".repeat(100))));
    assert_eq!(parse_payload(&text), Ok(p));
}

#[test]
fn decoder_locates_fields_by_id_and_reports_faults() {
    let raw = parse_raw(DOC_EXAMPLE).expect("raw");
    assert_eq!(raw.get(FieldId::S4).expect("s4").value, "PAT-TROIS");
    assert!(raw.get(FieldId::S4).expect("s4").gs);
    // A missing GS after S3 is detected, the next field still found.
    let no_gs = DOC_EXAMPLE.replacen("DOMINIQUE\u{1d}", "DOMINIQUE", 1);
    let raw = parse_raw(&no_gs).expect("raw");
    assert_eq!(raw.get(FieldId::S3).expect("s3").value, "DOMINIQUE");
    assert_eq!(raw.get(FieldId::S4).expect("s4").value, "PAT-TROIS");
    assert!(
        check_payload(&no_gs)
            .iter()
            .any(|f| f.rule_id == RuleId::Dm003)
    );
    assert!(matches!(
        parse_payload("IS01"),
        Err(DmError::TooShort { len: 4 })
    ));
    assert!(matches!(
        parse_payload(&DOC_EXAMPLE.replace("IS01", "IS02")),
        Err(DmError::Header { .. })
    ));
    assert!(matches!(
        parse_payload(&format!("{DOC_EXAMPLE}X9")),
        Err(DmError::UnknownBlock { .. })
    ));
    assert!(matches!(
        parse_payload(&DOC_EXAMPLE.replace("28-03-1979", "1979-03-28")),
        Err(DmError::Invalid { field: "S6", .. })
    ));
}

#[test]
fn held_ins_comparison() {
    let raw = parse_raw(DOC_EXAMPLE).expect("raw");
    assert!(check_against(&raw, &pat_trois().ins).is_empty());
    let other = Ins::new(
        Matricule::parse("277076322082910").expect("valid"),
        Oid::NirTest,
    );
    let f = check_against(&raw, &other);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule_id, RuleId::Dm011);
}

#[test]
fn png_and_svg_symbols_decode_back() {
    let png = encode_png(DOC_EXAMPLE, 6).expect("png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let text = decode_image(&png).expect("decodes");
    assert_eq!(text, DOC_EXAMPLE);
    assert!(text.contains(GS));
    let svg = encode_svg(DOC_EXAMPLE, 4).expect("svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.matches("<rect").count() > 100);
}

/// A photographed page: the symbol small on a large grey page, rotated, blurred, noisy, then
/// saved as a low-quality JPEG.
#[test]
fn a_degraded_jpeg_photo_of_a_page_decodes() {
    let png = encode_png(DOC_EXAMPLE, 5).expect("png");
    let symbol = image::load_from_memory(&png).expect("png").to_luma8();
    let mut page = GrayImage::from_pixel(1200, 1600, Luma([235]));
    image::imageops::overlay(&mut page, &symbol, 700, 150);
    let rotated = rotate(&page, 7.0_f32.to_radians());
    let blurred = image::imageops::blur(&rotated, 1.2);
    let scaled =
        image::imageops::resize(&blurred, 900, 1200, image::imageops::FilterType::Triangle);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 55)
        .encode_image(&DynamicImage::ImageLuma8(scaled))
        .expect("jpeg");
    assert_eq!(&jpeg[..2], b"\xff\xd8");
    assert_eq!(decode_image(&jpeg).expect("decodes the photo"), DOC_EXAMPLE);
}

/// Nearest-neighbour rotation about the centre (the `image` crate has only right angles).
fn rotate(src: &GrayImage, angle: f32) -> GrayImage {
    let (w, h) = src.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (s, c) = angle.sin_cos();
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            *src.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([235])
        }
    })
}

#[test]
fn not_an_image_or_no_symbol_are_typed_errors() {
    assert!(decode_image(b"not an image").is_err());
    let blank = GrayImage::from_pixel(200, 200, Luma([255]));
    let mut png = Vec::new();
    DynamicImage::ImageLuma8(blank)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    assert!(matches!(
        decode_image(&png),
        Err(insilab_formats::datamatrix::SymbolError::NotFound(_))
    ));
}

/// Independent oracle: libdmtx's `dmtxread` (Debian `dmtx-utils`) reads our PNG.
#[test]
fn dmtxread_reads_our_png() {
    if !insilab_testkit::require_program("dmtxread", &["--version"], "dmtxread_reads_our_png") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ins.png");
    std::fs::write(&path, encode_png(DOC_EXAMPLE, 6).expect("png")).expect("write");
    let out = Command::new("dmtxread")
        .arg("--stop-after=1")
        .arg(&path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end_matches('\n'),
        DOC_EXAMPLE
    );
}

fn name() -> impl Strategy<Value = String> {
    "[A-Z]{1,20}([ '-][A-Z]{1,20}){0,2}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn payload_round_trips(
        body in "[12][0-9]{2}(0[1-9]|1[0-2])[0-9]{8}",
        oid in prop::sample::select(Oid::ALL.to_vec()),
        first in proptest::collection::vec("[A-Z]{1,12}", 1..4),
        birth_name in name(),
        sex in prop::sample::select(vec![Sex::M, Sex::F]),
        day in 1u8..=28, month in 1u8..=12, year in 1900i32..2030,
        cog in proptest::option::of("[0-9]{5}".prop_filter("a COG code", |c| Cog::parse(c).is_ok())),
    ) {
        let p = InsPayload {
            ins: Ins::new(Matricule::with_computed_key(&body).expect("body"), oid),
            first_names: first,
            birth_name,
            sex,
            birth_date: time::Date::from_calendar_date(year, time::Month::try_from(month).expect("month"), day).expect("date"),
            birthplace: cog.map(|c| Cog::parse(&c).expect("cog")),
        };
        let text = build(&p);
        prop_assert_eq!(parse_payload(&text), Ok(p.clone()));
        let fatal: Vec<_> = check_payload(&text).into_iter().filter(|f| f.rule_id != RuleId::Dm012).collect();
        prop_assert!(fatal.is_empty(), "{:?}", fatal);
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in "\\PC{0,200}", gs_text in "[IS0-9A-Z\u{1d}.' -]{0,160}") {
        let _ = parse_payload(&text);
        let _ = check_payload(&text);
        let _ = check_payload(&gs_text);
        let _ = parse_payload(&format!("IS010000000000000000000000{gs_text}"));
        let _ = check_payload(&format!("IS010000000000000000000000{gs_text}"));
    }

    #[test]
    fn never_panics_on_mutations(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>()), 1..8)) {
        let mut chars: Vec<char> = DOC_EXAMPLE.chars().collect();
        for (at, c) in edits {
            let i = at.index(chars.len());
            chars[i] = c;
        }
        let text: String = chars.into_iter().collect();
        let _ = parse_payload(&text);
        let _ = check_payload(&text);
    }

    #[test]
    fn image_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = decode_image(&bytes);
        let mut png_head = b"\x89PNG\r\n\x1a\n".to_vec();
        png_head.extend_from_slice(&bytes);
        let _ = decode_image(&png_head);
    }
}
