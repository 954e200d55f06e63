//! The vendored XSDs are the files `schemas/README.md` says they are.

use sha2::{Digest, Sha256};

#[test]
fn vendored_schemas_match_their_recorded_checksums() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = Vec::new();
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line
            .split('|')
            .map(|c| c.trim().trim_matches('`'))
            .collect();
        let (file, sha) = (cells[1], cells[4]);
        let bytes = std::fs::read(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            actual, sha,
            "{file} differs from the checksum in schemas/README.md"
        );
        checked.push(file.to_owned());
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xsd"))
        .collect();
    on_disk.sort();
    checked.sort();
    assert_eq!(
        checked, on_disk,
        "every vendored XSD is listed, and only those"
    );
}
