//! Puts the memory map of the board the target runs on where cortex-m-rt's linker script
//! finds it, as `memory.x`: `memory-lm3s6965.x` (a Cortex-M3), for `thumbv6m-none-eabi`
//! `memory-nrf51.x` (the micro:bit's nRF51, a Cortex-M0), for `thumbv7em-none-eabihf`
//! `memory-mps2-an386.x` (a Cortex-M4F). None is named `memory.x`, which the linker would find
//! in this folder first.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = env::var("TARGET").unwrap_or_default();
    let map = match target.as_str() {
        "thumbv6m-none-eabi" => "memory-nrf51.x",
        "thumbv7em-none-eabihf" => "memory-mps2-an386.x",
        _ => "memory-lm3s6965.x",
    };
    fs::copy(map, out.join("memory.x")).expect("the memory maps beside Cargo.toml");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory-lm3s6965.x");
    println!("cargo:rerun-if-changed=memory-nrf51.x");
    println!("cargo:rerun-if-changed=memory-mps2-an386.x");
}
