//! Pieces the `bench` and `quality` binaries share (`quality` includes this file).

use std::path::Path;

/// SplitMix64: a tiny seeded generator, written out so that generated archives and
/// drawn queries stay the same across crate versions (rand's StdRng does not promise
/// that).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Replaces the section whose heading starts with `heading` in a Markdown file (or
/// appends it); a new file starts with `title`.
pub fn write_section(path: &Path, title: &str, heading: &str, section: &str) {
    let existing = std::fs::read_to_string(path).unwrap_or_else(|_| format!("# {title}\n\n"));
    let mut out = String::new();
    let mut skipping = false;
    for line in existing.lines() {
        if line.starts_with("## ") {
            skipping = line.starts_with(heading);
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(section);
    std::fs::write(path, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
