//! Writes Room promotion's OpenAPI document to `systems/room-promotion/openapi.json` (or prints
//! it with `--stdout`), generated from the code: run it after changing a route or a body.

fn main() -> std::io::Result<()> {
    let text = room_promotion::openapi::text();
    if std::env::args().any(|a| a == "--stdout") {
        print!("{text}");
        return Ok(());
    }
    let path = room_promotion::openapi::path();
    std::fs::write(&path, text)?;
    println!("wrote {}", path.display());
    Ok(())
}
