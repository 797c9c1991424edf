//! Writes SirenOrder's OpenAPI document to `systems/siren-order/openapi.json` (or prints it
//! with `--stdout`), generated from the code: run it after changing a route or a body.

fn main() -> std::io::Result<()> {
    let text = siren_order::openapi::text();
    if std::env::args().any(|a| a == "--stdout") {
        print!("{text}");
        return Ok(());
    }
    let path = siren_order::openapi::path();
    std::fs::write(&path, text)?;
    println!("wrote {}", path.display());
    Ok(())
}
