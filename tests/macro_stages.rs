//! The `network!` macro's three stages (parse, validate, expand) run outside a procedural
//! macro: this file compiles `nn-macros`' modules itself.
//!
//! **Fuzzing.** A seeded loop mutates good declarations token by token for `NN_FUZZ_SECONDS`
//! (3 s by default) and asserts that no declaration panics: each one expands or gives a
//! `syn::Error`, which the macro turns into a compile error at its span. `--nocapture` prints
//! executions, panics and how many expanded. Mutation caught: any stage that panics (an index,
//! an unwrap, an overflow in debug builds) on a declaration it did not expect.
//!
//! **Lints.** Clippy skips code that comes from another crate's macro, so linting a crate that
//! calls `network!` checks nothing of the expansion. `tests/expanded/deep.rs` is the expansion
//! of one declaration, checked in; this file compiles it as a module under
//! `#![deny(clippy::pedantic)]` (CI runs clippy on the tests with warnings as errors), and a test
//! checks that it is still exactly what the macro writes (`NN_BLESS=1` rewrites it). Mutation
//! caught: a lint injected into the expansion (first this test fails, then, blessed, clippy).
#![allow(
    dead_code,
    reason = "the macro's modules, compiled here for their stages only"
)]
extern crate alloc;

#[path = "../nn-macros/src/ast.rs"]
mod ast;
#[path = "../nn-macros/src/cost.rs"]
mod cost;
#[path = "../nn-macros/src/docs.rs"]
mod docs;
#[path = "../nn-macros/src/embed.rs"]
mod embed;
#[path = "../nn-macros/src/expand.rs"]
mod expand;
#[path = "../nn-macros/src/heap.rs"]
mod heap;
#[path = "../nn/src/inline.rs"]
mod inline;
#[path = "../nn-macros/src/io.rs"]
mod io;
#[path = "../nn-macros/src/quant.rs"]
mod quant;
#[path = "../nn-macros/src/validate.rs"]
mod validate;

/// The expansion of `DEEP`, as the macro wrote it when last blessed, linted by clippy.
#[deny(clippy::pedantic)]
#[path = "expanded/deep.rs"]
mod expanded;

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

/// The declaration whose expansion `tests/expanded/deep.rs` holds.
const DEEP: &str = "/// A network in f64, with three layers.
    pub struct Deep: f64 < 3 => 5 tanh => 4 gelu => 2 softmax >";

/// The expansion of `text`, as tokens printed on one line.
fn expansion(text: &str) -> String {
    let def = syn::parse_str::<ast::NetworkDef>(text).expect("parses");
    expand::expand(&validate::validate(&def).expect("valid")).to_string()
}

#[test]
fn the_checked_in_expansion_is_what_the_macro_writes() {
    let path = "tests/expanded/deep.rs";
    let now = expansion(DEEP);
    if std::env::var_os("NN_BLESS").is_some() {
        let header = "// The expansion of `network! { DEEP }` in `tests/macro_stages.rs`, \
                      linted there.\n// Written by `NN_BLESS=1 cargo test --test macro_stages`; \
                      do not edit.\n";
        std::fs::write(path, format!("{header}{now}\n")).expect("write");
        let status = std::process::Command::new("rustfmt")
            .args(["--edition", "2021", path])
            .status();
        assert!(status.is_ok_and(|s| s.success()), "rustfmt");
    }
    let file = std::fs::read_to_string(path).expect("the checked-in expansion");
    assert!(
        flat(file.parse().expect("tokens")) == flat(now.parse().expect("tokens")),
        "the expansion changed: rerun with NN_BLESS=1 and review tests/expanded/deep.rs"
    );
}

/// The tokens one by one, groups opened and closed, without their spacing (`>,` and `> ,`
/// are the same tokens, `Joint` or `Alone`) or a trailing comma (which rustfmt adds).
fn flat(tokens: TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for token in tokens {
        match token {
            TokenTree::Group(g) => {
                out.push(format!("{:?}", g.delimiter()));
                out.extend(flat(g.stream()));
                if out.last().is_some_and(|last| last == ",") {
                    out.pop();
                }
                out.push("end".into());
            }
            TokenTree::Punct(p) => out.push(p.as_char().into()),
            other => out.push(other.to_string()),
        }
    }
    out
}

#[test]
fn the_checked_in_expansion_computes() {
    use nn::prelude::*;
    let x = SVector::from([0.1, 0.2, 0.3]);
    let y = expanded::Deep::new(1).forward(&x);
    assert!((y.sum() - 1.0).abs() < 1e-12 && y.iter().all(|p| *p > 0.0));
}
