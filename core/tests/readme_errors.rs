//! Keeps the README's error table true: every code is documented with the same hint the SDK
//! prints, so the docs cannot drift from `ErrorCode::hint`.

use svara::ErrorCode;

#[test]
fn readme_documents_every_error_code_with_its_hint() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md at the repository root");
    for code in ErrorCode::ALL {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", code.as_str())))
            .unwrap_or_else(|| panic!("README's error table has no row for {code}"));
        assert!(
            row.contains(code.hint()),
            "README's row for {code} does not carry its hint:\n{row}\n{}",
            code.hint()
        );
    }
}
