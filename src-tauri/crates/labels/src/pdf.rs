//! A PDF page the size of the label (or of the sheet the labels are on), drawn with `krilla`
//! from the shared layout, in the embedded font (subset into the file, with its text
//! extractable, so `pdftotext` reads what the label says).

use crate::font;
use crate::layout::{Item, LabelLayout};
use crate::printer::PrintError;
use crate::size::LabelSize;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;

const POINTS_PER_MM: f32 = 72.0 / 25.4;

fn pt(mm: f32) -> f32 {
    mm * POINTS_PER_MM
}

/// One page per label on a roll; on a sheet, the labels fill its places in order.
pub fn document(labels: &[LabelLayout], size: LabelSize) -> Result<Vec<u8>, PrintError> {
    let regular = Font::new(font::REGULAR.into(), 0).ok_or_else(|| PrintError::Render("the label font".into()))?;
    let bold = Font::new(font::BOLD.into(), 0).ok_or_else(|| PrintError::Render("the bold label font".into()))?;
    let fonts = Fonts { regular, bold };
    let (page_width, page_height) = size.page_mm();
    let settings = || {
        PageSettings::from_wh(pt(page_width), pt(page_height))
            .ok_or_else(|| PrintError::Render(format!("a page of {page_width} × {page_height} mm")))
    };
    let mut document = Document::new();
    match size.sheet() {
        None => {
            for label in labels {
                let mut page = document.start_page_with(settings()?);
                let mut surface = page.surface();
                draw(&mut surface, &fonts, label, (0.0, 0.0));
                surface.finish();
                page.finish();
            }
        }
        Some(sheet) => {
            let per_page = (sheet.columns * sheet.rows) as usize;
            for chunk in labels.chunks(per_page.max(1)) {
                let mut page = document.start_page_with(settings()?);
                let mut surface = page.surface();
                for (place, label) in chunk.iter().enumerate() {
                    let (column, row) = (place as u32 % sheet.columns, place as u32 / sheet.columns);
                    let origin = (
                        sheet.first_mm.0 + column as f32 * sheet.pitch_mm.0,
                        sheet.first_mm.1 + row as f32 * sheet.pitch_mm.1,
                    );
                    draw(&mut surface, &fonts, label, origin);
                }
                surface.finish();
                page.finish();
            }
        }
    }
    document.finish().map_err(|error| PrintError::Render(format!("{error:?}")))
}

struct Fonts {
    regular: Font,
    bold: Font,
}

fn fill(red: u8, green: u8, blue: u8) -> Fill {
    Fill { paint: rgb::Color::new(red, green, blue).into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

fn rectangles(surface: &mut Surface<'_>, rects: impl IntoIterator<Item = (f32, f32, f32, f32)>) {
    let mut path = PathBuilder::new();
    for (x, y, w, h) in rects {
        if let Some(rect) = Rect::from_xywh(pt(x), pt(y), pt(w), pt(h)) {
            path.push_rect(rect);
        }
    }
    if let Some(path) = path.finish() {
        surface.draw_path(&path);
    }
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, label: &LabelLayout, (ox, oy): (f32, f32)) {
    surface.set_fill(Some(fill(0, 0, 0)));
    for item in &label.items {
        match item {
            Item::Text { x, y, size, bold, text, .. } => {
                let font = if *bold { fonts.bold.clone() } else { fonts.regular.clone() };
                let baseline = Point::from_xy(pt(ox + x), pt(oy + y + size * font::ASCENT));
                surface.draw_text(baseline, font, pt(*size), text, false, TextDirection::Auto);
            }
            Item::Mark { x, y, width, height, size, text } => {
                rectangles(surface, [(ox + x, oy + y, *width, *height)]);
                surface.set_fill(Some(fill(255, 255, 255)));
                let inset = (width - font::width(text, *size, true)) / 2.0;
                let top = (height - size * font::LINE_HEIGHT) / 2.0;
                let baseline = Point::from_xy(pt(ox + x + inset), pt(oy + y + top + size * font::ASCENT));
                surface.draw_text(baseline, fonts.bold.clone(), pt(*size), text, false, TextDirection::Auto);
                surface.set_fill(Some(fill(0, 0, 0)));
            }
            Item::Qr { x, y, size, rows, .. } => {
                let module = size / rows.len().max(1) as f32;
                let dark = rows.iter().enumerate().flat_map(|(r, row)| {
                    row.char_indices()
                        .filter(|(_, c)| *c == '1')
                        .map(move |(c, _)| (ox + x + c as f32 * module, oy + y + r as f32 * module, module, module))
                });
                rectangles(surface, dark.collect::<Vec<_>>());
            }
            Item::Code128 { x, y, width, height, modules, .. } => {
                let module = width / modules.len().max(1) as f32;
                let bars = modules
                    .char_indices()
                    .filter(|(_, c)| *c == '1')
                    .map(|(i, _)| (ox + x + i as f32 * module, oy + y, module, *height));
                rectangles(surface, bars.collect::<Vec<_>>());
            }
        }
    }
}
