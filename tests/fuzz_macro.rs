//! Fuzzing the `network!` macro's three stages (parse, validate, expand) outside a procedural
//! macro: this file compiles `nn-macros`' modules itself. A seeded loop mutates good
//! declarations token by token for `NN_FUZZ_SECONDS` (3 s by default) and asserts that no
//! declaration panics: each one expands or gives a `syn::Error`, which the macro turns into a
//! compile error at its span. `--nocapture` prints executions, panics and how many expanded.
//!
//! Mutation caught: any stage that panics (an index, an unwrap, an overflow in debug builds)
//! on a declaration it did not expect.
#![allow(
    dead_code,
    reason = "the macro's modules, compiled here for their stages only"
)]
extern crate alloc;

#[path = "../nn-macros/src/ast.rs"]
mod ast;
#[path = "../nn-macros/src/expand.rs"]
mod expand;
#[path = "../nn/src/layout.rs"]
mod layout;
#[path = "../nn-macros/src/validate.rs"]
mod validate;

use proc_macro2::{TokenStream, TokenTree};
use rand::{rngs::SmallRng, RngExt, SeedableRng};
use std::time::{Duration, Instant};

const GOOD: [&str; 4] = [
    "pub struct Xor < 2 => 4 relu => 1 sigmoid >",
    "struct Deep: f64 < 3 => 5 gelu => 4 tanh => 2 softmax >",
    "/// Docs.\n struct Big < 784 => 128 relu => 10 softmax >",
    "struct Torch < 3 => 4 tanh => 2 sigmoid > \
     const FIXTURE = \"tests/fixtures/torch_layout.safetensors\";",
];

/// Tokens a mutation may put in: the DSL's own, sizes at every limit, and strangers.
const POOL: [&str; 24] = [
    "=>",
    "<",
    ">",
    ":",
    ";",
    "=",
    "const",
    "struct",
    "pub",
    "f64",
    "f16",
    "relu",
    "softmax",
    "bogus",
    "0",
    "1",
    "18446744073709551615",
    "4294967296",
    "300u8",
    "4.0",
    "-1",
    "\"x\"",
    "(1)",
    "[2]",
];

/// The tokens of `text` (a group such as `(1)` is one token; `=>` is two, joined).
fn tokens(text: &str) -> Vec<TokenTree> {
    let stream: TokenStream = text.parse().expect("good tokens");
    stream.into_iter().collect()
}

/// A random change: a token removed, doubled, swapped with its neighbour or replaced.
fn mutate(rng: &mut SmallRng, tokens: &mut Vec<TokenTree>) {
    let i = rng.random_range(0..tokens.len().max(1));
    let new = self::tokens(POOL[rng.random_range(0..POOL.len())]);
    match rng.random_range(0..4) {
        _ if tokens.is_empty() => tokens.extend(new),
        0 => drop(tokens.remove(i)),
        1 => tokens.insert(i, tokens[i].clone()),
        2 if i + 1 < tokens.len() => tokens.swap(i, i + 1),
        _ => drop(tokens.splice(i..=i, new)),
    }
}

/// Runs the three stages on `tokens`: whether they expanded.
fn stages(tokens: TokenStream) -> bool {
    let Ok(def) = syn::parse2::<ast::NetworkDef>(tokens) else {
        return false;
    };
    match validate::validate(&def) {
        Ok(model) => !expand::expand(&model).is_empty(),
        Err(_) => false,
    }
}

#[test]
fn good_declarations_expand() {
    for text in GOOD {
        assert!(stages(text.parse().expect("tokens")), "{text}");
    }
}

#[test]
fn mutated_declarations_never_panic() {
    let seconds = std::env::var("NN_FUZZ_SECONDS").ok();
    let seconds = seconds.and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let mut rng = SmallRng::seed_from_u64(11);
    let (mut runs, mut panics, mut expanded) = (0, 0, 0);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs_f64(seconds) {
        let mut decl = tokens(GOOD[rng.random_range(0..GOOD.len())]);
        for _ in 0..rng.random_range(1..4) {
            mutate(&mut rng, &mut decl);
        }
        let decl: TokenStream = decl.into_iter().collect();
        let text = decl.to_string();
        match std::panic::catch_unwind(|| stages(decl)) {
            Ok(true) => expanded += 1,
            Ok(false) => {}
            Err(_) => {
                panics += 1;
                eprintln!("panicked on: {text}");
            }
        }
        runs += 1;
    }
    println!("network!: {runs} executions, {panics} panics, {expanded} expanded");
    assert!(
        runs > 100 && expanded > 0,
        "{runs} runs, {expanded} expanded"
    );
    assert_eq!(panics, 0);
}
