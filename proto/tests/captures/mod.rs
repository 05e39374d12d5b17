//! Reading the captured peer traffic under `tests/data/PEER/` (shared by
//! `msg_mit.rs` and `msg_heimdal.rs`).

use tessera_proto::msg::{PaData, decode, encode};

/// The capture `name` of `peer` (`mit`, `heimdal`).
pub fn load(peer: &str, name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{peer}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every `.der` capture of `peer`, sorted by file name.
pub fn all(peer: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/tests/data/{peer}", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "der"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Decodes `bytes` (the capture `name`) as `T`, re-encodes and checks the
/// bytes are identical.
pub fn exact<T: rasn::Decode + rasn::Encode>(name: &str, bytes: &[u8]) -> T {
    let v: T = decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(encode(&v).unwrap(), bytes, "{name}: re-encoding differs");
    v
}

/// The PA-DATA types of a list, in order.
pub fn padata_types(list: &Option<Vec<PaData>>) -> Vec<i32> {
    list.iter().flatten().map(|p| p.r#type).collect()
}
