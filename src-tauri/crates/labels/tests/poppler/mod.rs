//! A PDF read back with poppler-utils (`pdfinfo`, `pdftotext`), as the label tests check it.

use std::path::Path;
use std::process::Command;

pub struct Pdf {
    pub pages: u32,
    /// Width and height of the first page, in points.
    pub page_points: (f32, f32),
    /// Its words, one space between each: pdftotext breaks lines where it sees fit.
    pub words: String,
}

fn run(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} (poppler-utils): {e}"));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn read(pdf: &Path) -> Pdf {
    let info = run("pdfinfo", &[pdf.as_os_str()]);
    let field = |name: &str| info.lines().find_map(|line| line.strip_prefix(name)).unwrap_or_default().to_owned();
    let pages = field("Pages:").trim().parse().unwrap_or(0);
    let size: Vec<f32> = field("Page size:").split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let page_points = match size[..] {
        [width, height, ..] => (width, height),
        _ => (0.0, 0.0),
    };
    let words = run("pdftotext", &[pdf.as_os_str(), "-".as_ref()]).split_whitespace().collect::<Vec<_>>().join(" ");
    Pdf { pages, page_points, words }
}

impl Pdf {
    /// Whether the page is `(width, height)` millimetres, within `tolerance` points, and also
    /// turned a quarter when `turned` is allowed.
    pub fn is_page_of(&self, (width, height): (f32, f32), tolerance: f32, turned: bool) -> bool {
        let wanted = (width * 72.0 / 25.4, height * 72.0 / 25.4);
        let near = |(a, b): (f32, f32)| {
            (self.page_points.0 - a).abs() < tolerance && (self.page_points.1 - b).abs() < tolerance
        };
        near(wanted) || (turned && near((wanted.1, wanted.0)))
    }
}
