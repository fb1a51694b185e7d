//! Embeds the schema's migrations (`migrations/` at the workspace root) in the store, in the
//! order their versions give, and rebuilds the store whenever one is added or changed.

use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let folder = manifest.join("../../../migrations");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut files: Vec<(i64, String, PathBuf)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("the migrations folder {} cannot be read: {e}", folder.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            // `<version>_<description>.sql`, as sqlx named them (its table keeps that description).
            let (version, description) = name
                .split_once('_')
                .unwrap_or_else(|| panic!("{name}: a migration is named <version>_<description>.sql"));
            let version: i64 = version.parse().unwrap_or_else(|_| panic!("{name}: the version is a number"));
            println!("cargo:rerun-if-changed={}", path.display());
            (version, description.replace('_', " "), path)
        })
        .collect();
    files.sort();
    let mut code =
        String::from("/// The schema's steps, oldest first.\npub(crate) static MIGRATIONS: &[Migration] = &[\n");
    for (version, description, path) in files {
        let path = path.canonicalize().unwrap_or(path);
        writeln!(
            code,
            "    Migration {{ version: {version}, description: {description:?}, sql: include_str!({:?}) }},",
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("{} cannot be written: {e}", out.display()));
}
