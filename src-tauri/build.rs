fn main() {
    // The schema is embedded by sqlx::migrate!; rebuild when a migration changes.
    println!("cargo:rerun-if-changed=migrations");
    let attributes = tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
