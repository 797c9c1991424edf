//! Writes Insurance's OpenAPI document to `systems/insurance/openapi.json` (or prints
//! it with `--stdout`), generated from the code: run it after changing a route or a body.

fn main() -> std::io::Result<()> {
    let text = insurance::openapi::text();
    if std::env::args().any(|a| a == "--stdout") {
        print!("{text}");
        return Ok(());
    }
    let path = insurance::openapi::path();
    std::fs::write(&path, text)?;
    println!("wrote {}", path.display());
    Ok(())
}
