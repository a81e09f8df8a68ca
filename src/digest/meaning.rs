//! What an item means, as a vector: the input of search by meaning.
//!
//! The model is potion-base-2M (Minish Lab, MIT licence; `models/potion-base-2M/`), a
//! Model2Vec *static* embedding distilled from an English sentence transformer: a text's
//! vector is the mean of its tokens' rows in a table (29,528 tokens x 64 dimensions), no
//! network and no neural inference, so it is computed while parsing, as fast as the rest
//! of the parse. Its table is vendored in int8 with a scale per row (`models/quantize.py`);
//! `model2vec-rs` reads it from the bytes compiled into the binary.
//!
//! Vectors are kept in int8 too ([`Vector`]): 64 bytes an item. The model reads English
//! only: entries in other languages get none ([`covers`]).

use std::sync::OnceLock;

use model2vec_rs::model::StaticModel;

/// The dimensions of a [`Vector`].
pub const DIMS: usize = 64;

/// The model's id, kept with the index: vectors of another model are never compared
/// with this one's (a changed id rebuilds the index).
pub const MODEL_ID: &str = "potion-base-2M/int8";

const TOKENIZER: &[u8] = include_bytes!("../../models/potion-base-2M/tokenizer.json");
const MODEL: &[u8] = include_bytes!("../../models/potion-base-2M/model.safetensors");
const CONFIG: &[u8] = include_bytes!("../../models/potion-base-2M/config.json");

/// Tokens of a text the model reads (the rest is left out of its vector).
const MAX_TOKENS: usize = 256;

/// A text's vector in int8: its direction is its meaning (the model's vector, scaled so
/// that its largest component is 127).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vector(pub [i8; DIMS]);

impl Vector {
    /// The dot product of two vectors.
    pub fn dot(&self, other: &Vector) -> i32 {
        dot(&self.0, &other.0)
    }

    /// Its length.
    pub fn norm(&self) -> f32 {
        (self.dot(self) as f32).sqrt()
    }

    /// The cosine of the angle between two vectors (0 when one is zero).
    pub fn cosine(&self, other: &Vector) -> f32 {
        let norms = self.norm() * other.norm();
        if norms == 0.0 { 0.0 } else { self.dot(other) as f32 / norms }
    }

    /// The direction between two vectors: the sum of their unit vectors.
    pub fn plus(&self, other: &Vector) -> Vector {
        direction([*self, *other]).unwrap_or(*self)
    }

    /// Its 64 bytes as 8 numbers, for the index's columns.
    pub fn to_words(&self) -> [u64; DIMS / 8] {
        std::array::from_fn(|i| {
            u64::from_le_bytes(std::array::from_fn(|j| self.0[i * 8 + j] as u8))
        })
    }

    /// The vector of [`Vector::to_words`]'s numbers.
    pub fn from_words(words: [u64; DIMS / 8]) -> Vector {
        let mut v = [0i8; DIMS];
        for (chunk, word) in v.chunks_exact_mut(8).zip(words) {
            for (x, b) in chunk.iter_mut().zip(word.to_le_bytes()) {
                *x = b as i8;
            }
        }
        Vector(v)
    }
}

/// The direction of several vectors: the sum of their unit vectors (each counts the
/// same, whatever its length); `None` for none.
pub fn direction(vectors: impl IntoIterator<Item = Vector>) -> Option<Vector> {
    let mut sum = [0f32; DIMS];
    for vector in vectors {
        let norm = vector.norm().max(f32::MIN_POSITIVE);
        sum.iter_mut().zip(vector.0).for_each(|(s, x)| *s += x as f32 / norm);
    }
    quantized(&sum)
}

/// A direction with what every text shares taken out: `vector`'s unit vector less
/// `mean`'s (both turned to unit length); `None` when nothing is left.
pub fn apart_from(vector: &Vector, mean: &[f32; DIMS]) -> Option<Vector> {
    let norm = vector.norm().max(f32::MIN_POSITIVE);
    let mean_norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
    let apart: [f32; DIMS] =
        std::array::from_fn(|i| vector.0[i] as f32 / norm - mean[i] / mean_norm);
    quantized(&apart)
}

/// The dot product of two int8 slices (written so the compiler vectorises it).
pub fn dot(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| x as i16 as i32 * y as i16 as i32).sum()
}

/// The model, loaded once (~30 ms) on first use.
fn model() -> &'static StaticModel {
    static MODEL_ONCE: OnceLock<StaticModel> = OnceLock::new();
    MODEL_ONCE.get_or_init(|| {
        StaticModel::from_bytes(TOKENIZER, MODEL, CONFIG, Some(true))
            .expect("the vendored model loads (tested)")
    })
}

/// Whether the model reads a language (an entry's ISO 639-1 code; `None` is English).
pub fn covers(language: Option<&str>) -> bool {
    matches!(language, None | Some("en"))
}

/// A text's vector; `None` when the model knows none of its tokens.
pub fn embed(text: &str) -> Option<Vector> {
    let model = model();
    let v = model.encode_with_args(&[text.to_string()], Some(MAX_TOKENS), 1).pop()?;
    quantized(&v)
}

/// A vector of floats in int8, its largest component 127; `None` for a zero vector.
fn quantized(v: &[f32]) -> Option<Vector> {
    let top = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if top == 0.0 || !top.is_finite() || v.len() != DIMS {
        return None;
    }
    Some(Vector(std::array::from_fn(|i| (v[i] / top * 127.0).round() as i8)))
}

/// Whether a query is one the model can read: not written in CJK script, nor reliably
/// detected as another language than English.
pub fn reads_query(q: &str) -> bool {
    if q.chars().any(super::is_cjk) {
        return false;
    }
    match whatlang::detect(q) {
        Some(info) if info.is_reliable() => info.lang() == whatlang::Lang::Eng,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Vector {
        embed(text).unwrap()
    }

    #[test]
    fn texts_about_one_thing_are_nearer_than_texts_about_another() {
        let memory = v("long-horizon memory consolidation for language model agents");
        let forget = v("the paper on agents that forget less");
        let compiler = v("a faster compiler backend for webassembly");
        assert!(memory.cosine(&forget) > memory.cosine(&compiler) + 0.2);
        assert!((memory.cosine(&memory) - 1.0).abs() < 1e-4);
    }

    #[test]
    fn a_sum_points_between_its_parts() {
        let (memory, compiler) = (v("agent memory"), v("compiler backend"));
        let both = memory.plus(&compiler);
        assert!(both.cosine(&memory) > memory.cosine(&compiler));
        assert!(both.cosine(&compiler) > memory.cosine(&compiler));
    }

    #[test]
    fn a_vector_survives_the_index_columns() {
        let memory = v("agent memory");
        assert_eq!(Vector::from_words(memory.to_words()), memory);
        assert!(memory.0.iter().any(|&x| x == 127 || x == -127));
    }

    #[test]
    fn nothing_to_read_has_no_vector() {
        assert_eq!(embed(""), None);
        assert!(!reads_query("推論 高速化"));
        assert!(!reads_query("la mémoire des agents qui oublient moins vite"));
        assert!(reads_query("agent memory"));
        assert!(reads_query("speculative decoding"));
    }
}
