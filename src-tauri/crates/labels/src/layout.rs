//! Where everything goes on a label, worked out once with the embedded font's metrics. The
//! screen, the ZPL and the PDF are all drawn from a [`LabelLayout`].
//!
//! Text that does not fit first shrinks (down to a size still readable across a table), then
//! wraps, and only then is shortened with "…". A shortened field is named in
//! [`LabelLayout::shortened`], which the station shows: nothing is cut off silently.

use crate::barcode;
use crate::content::LabelContent;
use crate::font;
use crate::size::LabelSize;
use serde::Serialize;
use ts_rs::TS;

/// Every length is in millimetres from the label's top-left corner; a text's `y` is the top of
/// its line and `size` its font size.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(rename = "LabelItem")]
pub enum Item {
    Text {
        x: f32,
        y: f32,
        width: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    /// White text on a black box: ALLERGY, MEDICAL.
    Mark {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        size: f32,
        text: String,
    },
    /// `rows` of `1` (dark) and `0` (light) modules, drawn `size` wide and high.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        data: String,
        rows: Vec<String>,
    },
    Code128 {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        data: String,
        modules: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LabelLayout {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
    /// Fields that had to be shortened with "…" or left off (for example `name`, `alerts`).
    pub shortened: Vec<String>,
    /// The embedded font's ascent and line height per unit of font size, so the screen puts a
    /// text's baseline (`y + size * ascent`) where the printers do.
    pub ascent: f32,
    pub line_height: f32,
}

/// One field to place: its text, the size it would like and the smallest it may shrink to,
/// and how many lines it may wrap onto.
struct Block<'a> {
    field: &'a str,
    text: String,
    size: f32,
    min: f32,
    bold: bool,
    max_lines: usize,
}

pub fn layout(content: &LabelContent, size: LabelSize) -> LabelLayout {
    let (width, height) = size.label_mm();
    let margin = (height * 0.07).clamp(1.2, 3.0);
    let mut page = Page { width, height, margin, items: Vec::new(), shortened: Vec::new() };
    match content {
        LabelContent::Child { name, code, session, room, date, marks, alerts } => {
            page.child(name, code, session, room.as_deref(), date, marks, alerts)
        }
        LabelContent::Guardian { code, children, date } => page.guardian(code, children, date),
        LabelContent::NameTag { name, session, date } => page.name_tag(name, session, date),
        LabelContent::Test { station, printer, at } => page.test(station, printer, at),
    }
    LabelLayout {
        width,
        height,
        items: page.items,
        shortened: page.shortened,
        ascent: font::ASCENT,
        line_height: font::LINE_HEIGHT,
    }
}

struct Page {
    width: f32,
    height: f32,
    margin: f32,
    items: Vec<Item>,
    shortened: Vec<String>,
}

impl Page {
    #[allow(clippy::too_many_arguments)]
    fn child(
        &mut self,
        name: &str,
        code: &str,
        session: &str,
        room: Option<&str>,
        date: &str,
        marks: &[String],
        alerts: &[String],
    ) {
        let (h, m) = (self.height, self.margin);
        let qr = (h - 2.0 * m).min(self.width * 0.3);
        self.qr(self.width - m - qr, m, qr, code);
        let column = self.width - 3.0 * m - qr;
        let mark_height = if marks.is_empty() { 0.0 } else { h * 0.13 };
        let place = match room {
            Some(room) if !room.is_empty() => format!("{session} · {room}"),
            _ => session.to_owned(),
        };
        let mut blocks = vec![
            Block {
                field: "name",
                text: name.to_owned(),
                size: h * 0.24,
                min: (h * 0.08).max(2.8),
                bold: true,
                max_lines: 2,
            },
            Block { field: "code", text: code.to_owned(), size: h * 0.19, min: h * 0.13, bold: true, max_lines: 1 },
            Block { field: "session", text: place, size: h * 0.095, min: h * 0.07, bold: false, max_lines: 2 },
            Block { field: "date", text: date.to_owned(), size: h * 0.08, min: h * 0.065, bold: false, max_lines: 1 },
        ];
        for alert in alerts {
            blocks.push(Block {
                field: "alerts",
                text: alert.clone(),
                size: h * 0.085,
                min: h * 0.065,
                bold: true,
                max_lines: 2,
            });
        }
        let gap = if marks.is_empty() { 0.0 } else { m * 0.5 };
        self.stack(blocks, m, m, column, h - 2.0 * m - mark_height - gap);
        if !marks.is_empty() {
            self.marks(marks, m, h - m - mark_height, column, mark_height);
        }
    }

    fn guardian(&mut self, code: &str, children: &[String], date: &str) {
        let (w, h, m) = (self.width, self.height, self.margin);
        let bar_height = h * 0.26;
        let blocks = vec![
            Block { field: "code", text: code.to_owned(), size: h * 0.26, min: h * 0.16, bold: true, max_lines: 1 },
            Block {
                field: "children",
                text: children.join(", "),
                size: h * 0.1,
                min: h * 0.07,
                bold: false,
                max_lines: 2,
            },
            Block {
                field: "note",
                text: format!("Guardian tag: show it at pickup · {date}"),
                size: h * 0.075,
                min: h * 0.06,
                bold: false,
                max_lines: 1,
            },
        ];
        self.stack(blocks, m, m, w - 2.0 * m, h - 3.0 * m - bar_height);
        let modules = barcode::code128_modules(code);
        // Half a millimetre a module scans from arm's length; never wider than the label, and
        // with the ten modules of white on each side a scanner needs.
        let module = ((w - 2.0 * m) / (modules.len() as f32 + 20.0)).min(0.5);
        let quiet = (10.0 * module).max(m);
        let bar_width = modules.len() as f32 * module;
        self.items.push(Item::Code128 {
            x: quiet,
            y: h - m - bar_height,
            width: bar_width,
            height: bar_height,
            data: code.to_owned(),
            modules,
        });
    }

    fn name_tag(&mut self, name: &str, session: &str, date: &str) {
        let (w, h, m) = (self.width, self.height, self.margin);
        let blocks = vec![
            Block { field: "name", text: name.to_owned(), size: h * 0.22, min: h * 0.12, bold: true, max_lines: 2 },
            Block {
                field: "session",
                text: session.to_owned(),
                size: h * 0.11,
                min: h * 0.075,
                bold: false,
                max_lines: 2,
            },
            Block { field: "date", text: date.to_owned(), size: h * 0.08, min: h * 0.065, bold: false, max_lines: 1 },
        ];
        self.stack(blocks, m, m, w - 2.0 * m, h - 2.0 * m);
    }

    fn test(&mut self, station: &str, printer: &str, at: &str) {
        let (h, m) = (self.height, self.margin);
        let qr = (h - 2.0 * m).min(self.width * 0.3);
        self.qr(self.width - m - qr, m, qr, "PRINTER TEST");
        let blocks = vec![
            Block {
                field: "title",
                text: "Printer test".into(),
                size: h * 0.2,
                min: h * 0.12,
                bold: true,
                max_lines: 1,
            },
            Block {
                field: "station",
                text: format!("Station {station} · {printer}"),
                size: h * 0.09,
                min: h * 0.065,
                bold: false,
                max_lines: 3,
            },
            Block { field: "at", text: at.to_owned(), size: h * 0.08, min: h * 0.065, bold: false, max_lines: 1 },
            Block {
                field: "note",
                text: "If you can read this and scan the code, labels print.".into(),
                size: h * 0.08,
                min: h * 0.065,
                bold: false,
                max_lines: 2,
            },
        ];
        self.stack(blocks, m, m, self.width - 3.0 * m - qr, h - 2.0 * m);
    }

    fn qr(&mut self, x: f32, y: f32, size: f32, data: &str) {
        let rows = barcode::qr_rows(data);
        if !rows.is_empty() && size > 0.0 {
            self.items.push(Item::Qr { x, y, size, data: data.to_owned(), rows });
        }
    }

    /// Marks side by side in one row; they shrink together to fit it.
    fn marks(&mut self, marks: &[String], x: f32, y: f32, width: f32, height: f32) {
        let pad = height * 0.3;
        let mut size = height * 0.75;
        let total = |size: f32| marks.iter().map(|mark| font::width(mark, size, true) + 2.0 * pad + pad).sum::<f32>();
        while total(size) > width && size > height * 0.3 {
            size *= 0.9;
        }
        let mut at = x;
        for mark in marks {
            let mark_width = font::width(mark, size, true) + 2.0 * pad;
            if at + mark_width > x + width + 0.01 {
                self.note_shortened("marks");
                break;
            }
            self.items.push(Item::Mark { x: at, y, width: mark_width, height, size, text: mark.clone() });
            at += mark_width + pad;
        }
    }

    /// Places blocks one under another in the box, shrinking them together until they fit.
    fn stack(&mut self, blocks: Vec<Block<'_>>, x: f32, y: f32, width: f32, height: f32) {
        let wrapped_at = |scale: f32| -> Vec<(f32, Vec<String>)> {
            blocks
                .iter()
                .map(|block| {
                    let size = (block.size * scale).max(block.min);
                    (size, wrap(&block.text, size, block.bold, width))
                })
                .collect()
        };
        let fits = |placed: &[(f32, Vec<String>)]| {
            placed.iter().zip(&blocks).all(|((_, lines), block)| lines.len() <= block.max_lines)
                && stacked_height(placed) <= height + 0.01
        };
        let mut scale = 1.0;
        let mut placed = wrapped_at(scale);
        while !fits(&placed) && blocks.iter().any(|block| block.size * scale > block.min) {
            scale *= 0.95;
            placed = wrapped_at(scale);
        }
        // At the smallest sizes and still too long: shorten with "…", then leave off whole
        // lines from the bottom. Either way the field is named, never dropped silently.
        for ((size, lines), block) in placed.iter_mut().zip(&blocks) {
            if lines.len() > block.max_lines {
                lines.truncate(block.max_lines);
                if let Some(last) = lines.last_mut() {
                    *last = with_ellipsis(last, *size, block.bold, width);
                }
                self.note_shortened(block.field);
            }
        }
        let mut top = y;
        for ((size, lines), block) in placed.into_iter().zip(&blocks) {
            for line in lines {
                if top + size * font::LINE_HEIGHT > y + height + 0.01 {
                    self.note_shortened(block.field);
                    continue;
                }
                self.items.push(Item::Text { x, y: top, width, size, bold: block.bold, text: line });
                top += size * font::LINE_HEIGHT;
            }
        }
    }

    fn note_shortened(&mut self, field: &str) {
        if !self.shortened.iter().any(|f| f == field) {
            self.shortened.push(field.to_owned());
        }
    }
}

fn stacked_height(placed: &[(f32, Vec<String>)]) -> f32 {
    placed.iter().map(|(size, lines)| size * font::LINE_HEIGHT * lines.len() as f32).sum()
}

/// Breaks text into lines no wider than `width`: at spaces and after hyphens, and inside a word
/// only when the word alone is wider than a line.
pub fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (word, after_space) in pieces(text) {
        let candidate = match (line.is_empty(), after_space) {
            (true, _) => word.to_owned(),
            (false, true) => format!("{line} {word}"),
            (false, false) => format!("{line}{word}"),
        };
        if font::width(&candidate, size, bold) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if font::width(&piece, size, bold) > width && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        line = piece;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The words of a text, a hyphenated one in parts that each keep their hyphen, and whether a
/// space came before each.
fn pieces(text: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    for word in text.split_whitespace() {
        let mut first = true;
        for part in word.split_inclusive('-') {
            pieces.push((part, first));
            first = false;
        }
    }
    pieces
}

fn with_ellipsis(line: &str, size: f32, bold: bool, width: f32) -> String {
    let mut kept: String = line.to_owned();
    while !kept.is_empty() && font::width(&format!("{kept}…"), size, bold) > width {
        kept.pop();
    }
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(name: &str, alerts: &[&str]) -> LabelContent {
        LabelContent::Child {
            name: name.into(),
            code: "A7KX".into(),
            session: "Sunday Kids 9:30".into(),
            room: Some("Room 3".into()),
            date: "Sun 6 Dec 2026".into(),
            marks: vec!["ALLERGY".into()],
            alerts: alerts.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn texts(layout: &LabelLayout) -> Vec<&str> {
        layout
            .items
            .iter()
            .filter_map(|item| if let Item::Text { text, .. } = item { Some(text.as_str()) } else { None })
            .collect()
    }

    fn inside(layout: &LabelLayout) -> bool {
        layout.items.iter().all(|item| {
            let (x, y, w, h) = match item {
                Item::Text { x, y, width, size, text, bold } => {
                    (*x, *y, font::width(text, *size, *bold).max(0.0).min(*width + 0.01), size * font::LINE_HEIGHT)
                }
                Item::Mark { x, y, width, height, .. } => (*x, *y, *width, *height),
                Item::Qr { x, y, size, .. } => (*x, *y, *size, *size),
                Item::Code128 { x, y, width, height, .. } => (*x, *y, *width, *height),
            };
            x >= 0.0 && y >= 0.0 && x + w <= layout.width + 0.01 && y + h <= layout.height + 0.01
        })
    }

    #[test]
    fn every_size_keeps_every_item_inside_the_label() {
        let contents = [
            child("Emma Johnson", &["ALLERGY: peanuts (EpiPen in bag)"]),
            LabelContent::Guardian {
                code: "A7KX".into(),
                children: vec!["Emma".into(), "Noah".into()],
                date: "Sun".into(),
            },
            LabelContent::NameTag { name: "Grace Okafor".into(), session: "Welcome".into(), date: "Sun".into() },
            LabelContent::Test { station: "A".into(), printer: "Zebra".into(), at: "9:00".into() },
        ];
        for size in LabelSize::ALL {
            for content in &contents {
                let laid = layout(content, size);
                assert!(inside(&laid), "{size:?} {content:?}: {laid:?}");
                assert!(laid.shortened.is_empty(), "{size:?} {content:?} shortened {:?}", laid.shortened);
            }
        }
    }

    #[test]
    fn a_long_name_shrinks_and_wraps_and_a_too_long_one_is_shortened_and_said_so() {
        let long = "Maximilian Fitzgerald-Montgomery";
        let laid = layout(&child(long, &[]), LabelSize::Zebra4x2);
        let joined = texts(&laid)[..2].concat().replace(' ', "");
        assert_eq!(joined, long.replace(' ', ""), "wrapped onto two lines, whole: {laid:?}");
        assert_eq!(texts(&laid)[2], "A7KX");
        assert!(laid.shortened.is_empty());

        let absurd = "Bartholomew ".repeat(12);
        let laid = layout(&child(absurd.trim(), &[]), LabelSize::Zebra2x1);
        assert_eq!(laid.shortened, vec!["name".to_string()]);
        assert!(texts(&laid)[1].ends_with('…'), "{laid:?}");
        assert!(texts(&laid).contains(&"A7KX"), "the code is never what gives way");
        assert!(inside(&laid));
    }

    #[test]
    fn many_alerts_that_cannot_all_fit_are_said_to_be_shortened() {
        let alerts: Vec<String> = (1..=12).map(|i| format!("MEDICAL: condition number {i} needs care")).collect();
        let refs: Vec<&str> = alerts.iter().map(String::as_str).collect();
        let laid = layout(&child("Emma", &refs), LabelSize::Zebra2x1);
        assert!(laid.shortened.contains(&"alerts".to_string()));
        assert!(inside(&laid));
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_a_word_only_when_it_must() {
        assert_eq!(wrap("Ann Lee", 5.0, false, 100.0), vec!["Ann Lee"]);
        let narrow = wrap("Ann Leeeeeeeeeeeeeeeeee", 5.0, false, 20.0);
        assert_eq!(narrow[0], "Ann");
        assert!(narrow.len() > 2 && narrow.iter().all(|line| font::width(line, 5.0, false) <= 20.0));
        assert_eq!(narrow[1..].concat(), "Leeeeeeeeeeeeeeeeee");
    }
}
